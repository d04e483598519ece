-- The rollout gate's figures (scripts/release/): requests, 5xx errors, error ratio and p95 per
-- Worker version over one window ({{since}}, the plan's `window`), canary and stable side by
-- side. Weighted by _sample_interval: each stored point stands for that many requests.
SELECT
  blob1 AS version_id,
  SUM(_sample_interval) AS requests,
  SUM(IF(double6 >= 500, _sample_interval, 0)) AS errors,
  SUM(IF(double6 >= 500, _sample_interval, 0)) / SUM(_sample_interval) AS error_ratio,
  quantileExactWeighted(0.95)(double1, _sample_interval) AS p95_ms
FROM {{requests}}
WHERE timestamp > NOW() - INTERVAL {{since}}
GROUP BY version_id
ORDER BY requests DESC
