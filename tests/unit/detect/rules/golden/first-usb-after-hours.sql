WITH mh_base AS (
  SELECT *,
    date_diff('day', "first_day", "day") AS "tenure_days",
    coalesce(max("usb_connects") OVER (PARTITION BY "user_id" ORDER BY "day" ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0) = 0 AS "mh_first0"
  FROM "user_day"
), mh_sel AS (
  SELECT *,
    coalesce((("usb_connects" > 0 AND "mh_first0")), false) AS "mh_s0",
    coalesce(("tenure_days" >= $p0), false) AS "mh_s1",
    coalesce(("after_hours_events" >= $p1 * greatest(coalesce("after_hours_events__median", 0), 1) AND "after_hours_events" >= $p2), false) AS "mh_s2"
  FROM mh_base
), mh_corr AS (
  SELECT *,
    sum(CASE WHEN "mh_s2" THEN 1 ELSE 0 END) OVER (PARTITION BY "user_id" ORDER BY "day" RANGE BETWEEN INTERVAL 13 DAY PRECEDING AND CURRENT ROW) AS "mh_w0"
  FROM mh_sel
)
SELECT "user_id",
    "day",
    CAST($p4 AS VARCHAR) AS "rule_id",
    CAST($p5 AS VARCHAR) AS "level",
    50 AS "weight",
    CAST("mh_w0" AS DOUBLE) AS "value",
    concat($p6, coalesce(regexp_replace(printf('%.1f', CAST("tenure_days" AS DOUBLE)), '\.0$', ''), 'n/a'), $p7, coalesce(regexp_replace(printf('%.1f', CAST("usb_connects" AS DOUBLE)), '\.0$', ''), 'n/a'), $p8, coalesce(regexp_replace(printf('%.1f', CAST("mh_w0" AS DOUBLE)), '\.0$', ''), 'n/a'), $p9, coalesce(regexp_replace(printf('%.1f', CAST("after_hours_events" AS DOUBLE)), '\.0$', ''), 'n/a'), $p10) AS "explanation"
FROM mh_corr
WHERE "mh_s0" AND "mh_s1" AND "mh_w0" >= $p3
-- params: {"p0": 30.0, "p1": 3.0, "p10": " after-hours events today)", "p2": 5.0, "p3": 1.0, "p4": "first-usb-after-hours", "p5": "high", "p6": "first removable media use after ", "p7": " days of history (", "p8": " connects), with ", "p9": " late day(s) in the last 14 days ("}
