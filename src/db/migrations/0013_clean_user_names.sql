-- Names are now one line of at most 100 characters without control or direction-changing
-- characters (src/accounts/person-name.ts); names stored before that are brought into line, so no
-- email greets anyone with a 3,000-character "name".
UPDATE users SET name = coalesce(nullif(left(btrim(regexp_replace(regexp_replace(name, '[[:space:]]+', ' ', 'g'),
  E'[\\x01-\\x1F\\x7F-\\x9F\\u200B\\u200E\\u200F\\u202A-\\u202E\\u2060\\u2066-\\u2069\\uFEFF]', '', 'g')), 100), ''), 'Merchant')
WHERE length(name) > 100 OR name ~ E'[\\x01-\\x1F\\x7F-\\x9F\\u200B\\u200E\\u200F\\u202A-\\u202E\\u2060\\u2066-\\u2069\\uFEFF]' OR name ~ '[[:space:]]{2}';

UPDATE accounts SET name = coalesce(nullif(left(btrim(regexp_replace(regexp_replace(name, '[[:space:]]+', ' ', 'g'),
  E'[\\x01-\\x1F\\x7F-\\x9F\\u200B\\u200E\\u200F\\u202A-\\u202E\\u2060\\u2066-\\u2069\\uFEFF]', '', 'g')), 100), ''), 'Merchant')
WHERE length(name) > 100 OR name ~ E'[\\x01-\\x1F\\x7F-\\x9F\\u200B\\u200E\\u200F\\u202A-\\u202E\\u2060\\u2066-\\u2069\\uFEFF]' OR name ~ '[[:space:]]{2}';
