-- Parley schema v16 (issue 15 item 3): a push job carries the user's unread total as the badge (APNs aps.badge, FCM
-- notification_count, the Web Push payload's badge), counted by the planner when it queues the job. Jobs queued
-- before this version carry their own count, what APNs showed as the badge until now.
ALTER TABLE push_jobs ADD COLUMN badge INTEGER NOT NULL DEFAULT 0;
UPDATE push_jobs SET badge = count;
