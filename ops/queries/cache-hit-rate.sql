-- Read-cache outcomes per 5 minutes: share of cacheable reads answered from a cache tier.
-- Only requests with a cache outcome count (writes and ledger reads have none).
SELECT
  toStartOfInterval(timestamp, INTERVAL '5' MINUTE) AS bucket,
  SUM(_sample_interval) AS cacheable,
  SUM(IF(blob7 = 'HIT', _sample_interval, 0)) AS hits,
  SUM(IF(blob7 = 'STALE', _sample_interval, 0)) AS stale,
  SUM(IF(blob7 = 'HIT', _sample_interval, 0)) / SUM(_sample_interval) AS hit_rate
FROM {{requests}}
WHERE timestamp > NOW() - INTERVAL {{since}} AND blob7 != ''
GROUP BY bucket
ORDER BY bucket DESC
