-- p95/p99 per version and route template over the window, busiest first.
SELECT
  blob1 AS version_id,
  blob4 AS method,
  blob3 AS route,
  SUM(_sample_interval) AS requests,
  quantileExactWeighted(0.95)(double1, _sample_interval) AS p95_ms,
  quantileExactWeighted(0.99)(double1, _sample_interval) AS p99_ms,
  SUM(_sample_interval * double2) / SUM(_sample_interval) AS avg_ledger_ms,
  SUM(_sample_interval * double3) / SUM(_sample_interval) AS avg_postgres_ms,
  SUM(_sample_interval * double4) / SUM(_sample_interval) AS avg_kv_ms
FROM {{requests}}
WHERE timestamp > NOW() - INTERVAL {{since}}
GROUP BY version_id, method, route
ORDER BY requests DESC
LIMIT 50
