-- Share of requests refused with 429 rate_limited per 5 minutes.
SELECT
  toStartOfInterval(timestamp, INTERVAL '5' MINUTE) AS bucket,
  SUM(_sample_interval) AS requests,
  SUM(IF(double6 = 429, _sample_interval, 0)) AS refused,
  SUM(IF(double6 = 429, _sample_interval, 0)) / SUM(_sample_interval) AS refused_ratio
FROM {{requests}}
WHERE timestamp > NOW() - INTERVAL {{since}}
GROUP BY bucket
ORDER BY bucket DESC
