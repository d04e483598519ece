-- Ledger commands per second by type and outcome over the window.
SELECT
  blob3 AS command,
  blob4 AS outcome,
  SUM(_sample_interval) AS commands,
  SUM(_sample_interval) / (dateDiff('second', MIN(timestamp), MAX(timestamp)) + 1) AS per_second,
  quantileExactWeighted(0.95)(double1, _sample_interval) AS p95_ms
FROM {{ledger}}
WHERE timestamp > NOW() - INTERVAL {{since}} AND blob3 != 'projection.drain'
GROUP BY command, outcome
ORDER BY commands DESC
