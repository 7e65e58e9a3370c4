-- Parley schema v10: display names (PATCH /api/v1/me). display_name is what people see instead of the username, NULL
-- when the user has not set one; 1-64 characters, checked by the API. The user search (GET /api/v1/users?q=) matches
-- usernames and display names by prefix.
ALTER TABLE users ADD COLUMN display_name TEXT;
