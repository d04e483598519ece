-- Error ratio and latency per Worker version per 5 minutes (the rollout gate's figures).
-- Weighted by _sample_interval: each stored point stands for that many requests.
SELECT
  toStartOfInterval(timestamp, INTERVAL '5' MINUTE) AS bucket,
  blob1 AS version_id,
  blob2 AS version_tag,
  SUM(_sample_interval) AS requests,
  SUM(IF(double6 >= 500, _sample_interval, 0)) AS errors,
  SUM(IF(double6 >= 500, _sample_interval, 0)) / SUM(_sample_interval) AS error_ratio,
  quantileExactWeighted(0.50)(double1, _sample_interval) AS p50_ms,
  quantileExactWeighted(0.95)(double1, _sample_interval) AS p95_ms,
  quantileExactWeighted(0.99)(double1, _sample_interval) AS p99_ms
FROM {{requests}}
WHERE timestamp > NOW() - INTERVAL {{since}}
GROUP BY bucket, version_id, version_tag
ORDER BY bucket DESC, requests DESC
