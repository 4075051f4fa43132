WITH mh_base AS (
  SELECT *,
    date_diff('day', "first_day", "day") AS "tenure_days",
    coalesce(max("personal_attachments") OVER (PARTITION BY "user_id" ORDER BY "day" ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0) = 0 AS "mh_first0"
  FROM "user_day"
), mh_sel AS (
  SELECT *,
    coalesce(("personal_attachments" >= $p0), false) AS "mh_s0",
    coalesce(("personal_attachments" >= $p1), false) AS "mh_s1",
    coalesce((("personal_attachments" > 0 AND "mh_first0") AND "tenure_days" >= $p2), false) AS "mh_s2"
  FROM mh_base
), mh_corr AS (
  SELECT *,
    sum(CASE WHEN "mh_s0" AND NOT "mh_s1" THEN "personal_attachments" ELSE 0 END) OVER (PARTITION BY "user_id" ORDER BY "day" RANGE BETWEEN INTERVAL 29 DAY PRECEDING AND CURRENT ROW) AS "mh_w0",
    sum(CASE WHEN "mh_s0" AND NOT "mh_s1" THEN "personal_attachments" ELSE 0 END) OVER (PARTITION BY "user_id" ORDER BY "day" RANGE BETWEEN INTERVAL 89 DAY PRECEDING AND CURRENT ROW) AS "mh_w1",
    sum(CASE WHEN "mh_s1" THEN 1 ELSE 0 END) OVER (PARTITION BY "user_id" ORDER BY "day" RANGE BETWEEN INTERVAL 89 DAY PRECEDING AND CURRENT ROW) AS "mh_w2",
    sum(CASE WHEN "mh_s2" THEN 1 ELSE 0 END) OVER (PARTITION BY "user_id" ORDER BY "day" RANGE BETWEEN INTERVAL 179 DAY PRECEDING AND CURRENT ROW) AS "mh_w3"
  FROM mh_sel
)
SELECT "user_id",
    "day",
    CAST($p7 AS VARCHAR) AS "rule_id",
    CAST($p8 AS VARCHAR) AS "level",
    25 AS "weight",
    CAST("mh_w0" AS DOUBLE) AS "value",
    concat(coalesce(regexp_replace(printf('%.1f', CAST("mh_w0" AS DOUBLE)), '\.0$', ''), 'n/a'), $p9, coalesce(regexp_replace(printf('%.1f', CAST("personal_attachments" AS DOUBLE)), '\.0$', ''), 'n/a'), $p10) AS "explanation"
FROM mh_corr
WHERE "mh_s0" AND NOT "mh_s1" AND "mh_w0" >= $p3 AND "mh_w1" >= $p4 AND "mh_w2" < $p5 AND "mh_w3" >= $p6
-- params: {"p0": 1.0, "p1": 4.0, "p10": " today, never 4 or more on one day in 90 days), a habit new since their first weeks", "p2": 14.0, "p3": 6.0, "p4": 15.0, "p5": 1.0, "p6": 1.0, "p7": "slow-drip", "p8": "medium", "p9": " attachments mailed to personal addresses in 30 days ("}
