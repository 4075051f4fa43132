WITH mh_base AS (
  SELECT *,
    date_diff('day', "first_day", "day") AS "tenure_days"
  FROM "user_day"
), mh_sel AS (
  SELECT *,
    coalesce(("files_to_removable" >= $p0 * greatest(coalesce("files_to_removable__median", 0), 1) AND "files_to_removable" >= $p1), false) AS "mh_s0",
    coalesce(("cloud_uploads" >= $p2 * greatest(coalesce("cloud_uploads__median", 0), 1) AND "cloud_uploads" >= $p3), false) AS "mh_s1",
    coalesce(("personal_attachments" >= $p4 * greatest(coalesce("personal_attachments__median", 0), 1) AND "personal_attachments" >= $p5), false) AS "mh_s2",
    coalesce(("days_to_departure" >= $p6 AND "days_to_departure" <= $p7), false) AS "mh_s3"
  FROM mh_base
)
SELECT "user_id",
    "day",
    CAST($p8 AS VARCHAR) AS "rule_id",
    CAST($p9 AS VARCHAR) AS "level",
    50 AS "weight",
    CAST("files_to_removable" AS DOUBLE) AS "value",
    concat(coalesce(regexp_replace(printf('%.1f', CAST("files_to_removable" AS DOUBLE)), '\.0$', ''), 'n/a'), $p10, printf('%.1f', CAST("files_to_removable" / greatest(coalesce("files_to_removable__median", 0), 1) AS DOUBLE)), $p11, coalesce(regexp_replace(printf('%.1f', CAST("cloud_uploads" AS DOUBLE)), '\.0$', ''), 'n/a'), $p12, coalesce(regexp_replace(printf('%.1f', CAST("personal_attachments" AS DOUBLE)), '\.0$', ''), 'n/a'), $p13, coalesce(regexp_replace(printf('%.1f', CAST("days_to_departure" AS DOUBLE)), '\.0$', ''), 'n/a'), $p14) AS "explanation"
FROM mh_sel
WHERE ("mh_s0" OR "mh_s1" OR "mh_s2") AND "mh_s3"
-- params: {"p0": 5.0, "p1": 10.0, "p10": " files to removable media (", "p11": "x their median), ", "p12": " cloud uploads, ", "p13": " attachments to personal mail, ", "p14": " days before their last day", "p2": 5.0, "p3": 3.0, "p4": 5.0, "p5": 5.0, "p6": 0.0, "p7": 30.0, "p8": "departing-data-theft", "p9": "high"}
