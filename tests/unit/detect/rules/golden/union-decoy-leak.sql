SELECT * FROM (
WITH mh_base AS (
  SELECT *,
    date_diff('day', "first_day", "day") AS "tenure_days"
  FROM "user_day"
), mh_sel AS (
  SELECT *,
    coalesce(("decoy_touches" >= $r0_0), false) AS "mh_s0"
  FROM mh_base
)
SELECT "user_id",
    "day",
    CAST($r0_1 AS VARCHAR) AS "rule_id",
    CAST($r0_2 AS VARCHAR) AS "level",
    100 AS "weight",
    CAST("decoy_touches" AS DOUBLE) AS "value",
    concat(coalesce(regexp_replace(printf('%.1f', CAST("decoy_touches" AS DOUBLE)), '\.0$', ''), 'n/a'), $r0_3) AS "explanation"
FROM mh_sel
WHERE "mh_s0"
)
UNION ALL
SELECT * FROM (
WITH mh_base AS (
  SELECT *,
    date_diff('day', "first_day", "day") AS "tenure_days"
  FROM "user_day"
), mh_sel AS (
  SELECT *,
    coalesce(("leak_uploads" >= $r1_0), false) AS "mh_s0"
  FROM mh_base
)
SELECT "user_id",
    "day",
    CAST($r1_1 AS VARCHAR) AS "rule_id",
    CAST($r1_2 AS VARCHAR) AS "level",
    50 AS "weight",
    CAST("leak_uploads" AS DOUBLE) AS "value",
    concat(coalesce(regexp_replace(printf('%.1f', CAST("leak_uploads" AS DOUBLE)), '\.0$', ''), 'n/a'), $r1_3, coalesce(regexp_replace(printf('%.1f', CAST("leak_visits" AS DOUBLE)), '\.0$', ''), 'n/a'), $r1_4) AS "explanation"
FROM mh_sel
WHERE "mh_s0"
)
ORDER BY "day", "user_id", "rule_id"
-- params: {"r0_0": 1.0, "r0_1": "decoy-touched", "r0_2": "critical", "r0_3": " event(s) on decoy files", "r1_0": 1.0, "r1_1": "leak-site-upload", "r1_2": "high", "r1_3": " upload(s) to leak sites (", "r1_4": " requests to leak sites that day)"}
