-- How far the Postgres projection trails the ledgers, per 5 minutes: the largest lag (in
-- events) and outbox depth any tenant reported, and the weighted average lag.
SELECT
  toStartOfInterval(timestamp, INTERVAL '5' MINUTE) AS bucket,
  MAX(double3) AS max_projection_lag,
  SUM(_sample_interval * double3) / SUM(_sample_interval) AS avg_projection_lag,
  MAX(double2) AS max_outbox_depth,
  SUM(IF(blob4 = 'drain_failed', _sample_interval, 0)) AS failed_drains
FROM {{ledger}}
WHERE timestamp > NOW() - INTERVAL {{since}}
GROUP BY bucket
ORDER BY bucket DESC
