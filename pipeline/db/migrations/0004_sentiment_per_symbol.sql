-- A news item's sentiment fans out to one record per symbol it mentions plus a market-wide one (symbol '*'), so
-- the topic's key, and this table's, is (symbol, news_id). Rows written before had one row per item, its symbol
-- null for market news: they become the item's market-wide row. The class probabilities are new in Sentiment
-- and null on those rows, as in the schema.

UPDATE sentiment SET symbol = '*' WHERE symbol IS NULL;
ALTER TABLE sentiment ALTER COLUMN symbol SET NOT NULL;
ALTER TABLE sentiment DROP CONSTRAINT sentiment_pkey;
ALTER TABLE sentiment ADD PRIMARY KEY (symbol, news_id);
ALTER TABLE sentiment ADD COLUMN p_negative double precision;
ALTER TABLE sentiment ADD COLUMN p_neutral double precision;
ALTER TABLE sentiment ADD COLUMN p_positive double precision;
