-- Parley schema v18 (PostgreSQL): a search reads only the postings of the searcher's conversations. The GIN indexes
-- of v5 held the terms alone, so the planner took a term's bitmap over every conversation and dropped the rows of
-- the others afterwards: for a common word, most of the table (docs/performance.md, "Search"). These indexes hold
-- the conversation too, as a one-element array (GIN's built-in array_ops: no extension such as btree_gin needed, so
-- this runs on any PostgreSQL the server supports, also where an operator may not create extensions), and a search
-- asks for ARRAY[conversation_id] && (the searcher's conversations) AND the term in the same index scan: GIN walks
-- the postings of the conversations and looks the term up only for those documents (its "fast scan"), whatever the
-- term's frequency elsewhere. A query on the term alone still uses them (a multi-column GIN index answers any subset
-- of its columns), so the v5 indexes go. The expression is computed, not stored: no column added, no table rewrite;
-- building the two indexes reads search_docs once each.
-- gin_pending_list_limit = 256 (kB): GIN collects the indexer's inserts in an unsorted pending list that every
-- search reads in full (recent postings of all conversations) until a vacuum or analyze, or the list reaching this
-- limit, merges it into the index. At the default 4 MB that was 20 ms per search on 100,000 messages here (0.3 ms
-- after a merge); at 256 kB it is at most a sixteenth of that. fastupdate = off (no list) made the indexer's inserts
-- ten times slower here; 256 kB costs them about 1.4 times the default.
CREATE INDEX search_docs_conv_words ON search_docs USING GIN ((ARRAY[conversation_id]), words)
    WITH (gin_pending_list_limit = 256);
CREATE INDEX search_docs_conv_chars ON search_docs USING GIN ((ARRAY[conversation_id]), chars)
    WITH (gin_pending_list_limit = 256);
DROP INDEX search_docs_words;
DROP INDEX search_docs_chars;
