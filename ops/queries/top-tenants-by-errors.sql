-- The tenants with the most 5xx answers in the window (index1 = tenant id).
SELECT
  index1 AS tenant_id,
  SUM(_sample_interval) AS requests,
  SUM(IF(double6 >= 500, _sample_interval, 0)) AS errors,
  SUM(IF(double6 >= 500, _sample_interval, 0)) / SUM(_sample_interval) AS error_ratio
FROM {{requests}}
WHERE timestamp > NOW() - INTERVAL {{since}}
GROUP BY tenant_id
HAVING errors > 0
ORDER BY errors DESC
LIMIT 20
