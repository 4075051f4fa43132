"""The organization simulator: writes benchmark datasets in the CERT Insider Threat CSV format.

    from molehunt.synth import SynthConfig, generate
    result = generate(SynthConfig(users=200, days=120, seed=7, release="r6.2"), Path("out"))

Output (per release r4.2 / r6.2): logon, device, file, email, http CSVs sorted by date; LDAP/YYYY-MM.csv
monthly snapshots; psychometric.csv; decoy_file.csv (r6.2); answers/insiders.csv and one file per insider
listing every malicious row verbatim as `<source>,<row>`; hr/hr.csv, an HR export (docs/hr.md, molehunt.synth.hr
states its assumptions), which CERT does not have. Same config -> byte-identical files.

The organization: a president, directors, team managers and members in departments (engineering, sales,
IT, production, ...) with projects (r6.2), own PCs plus shared PCs, hires and departures during the period,
US holidays, vacations and sick days. Each user draws work hours, weekend habits and rates of web, mail,
USB and file activity; each day scales them again.

Insider scenarios (answers/ scenario numbers):
  1. Never used USB or worked late; then after-hours logons, a thumb drive, uploads to wikileaks.org; leaves.
  2. Weeks of job-site browsing and a mail to a competitor, then thumb-drive copying well above the user's
     own rate; leaves.
  3. Sysadmin downloads a keylogger, copies it by USB to the supervisor's PC, logs on there and sends an
     alarming mass mail from the supervisor's address; leaves. Rows on the supervisor's PC carry the
     insider's own user id (as CERT records them).
  4. Logs on to a colleague's PC, opens their files and mails them to a personal address, more and more
     often over up to three months (r4.2 has no file opens; the logons and mails remain).
  5. After layoffs in the department (benign departures on one day), uploads documents to cloud storage.
  6. The seed case: in the weeks before resigning, opens and copies to USB dozens of documents a day, many
     outside his own projects, partly after hours, touching decoy files (r6.2); leaves.
  7. Slow drip: single attachments to a personal mailbox a few times a week for months.

Benign confounders: IT staff who use USB daily, nightly backup jobs copying to removable media, night
workers, weekend workers, sales staff mailing partners, people who browse job sites (some stay, some leave),
resignations and layoffs with no malicious events, benign cloud uploads, mail to personal webmail (including
one's own), rare accidental decoy opens (r6.2), missing logoffs and disconnects as in CERT's dirty data.

Organization profiles (`SynthConfig(profile=N)`, `molehunt synth --profile N`, N >= 1): molehunt.synth.profile
draws an organization's character from documented ranges (the table in its docstring, `RANGES`) with a stream
seeded by N alone: prevalence and intensity of every benign confounder, habits per role, insider intensity and
the share of active days in their window, and whether departures and HR dates are known. A profile also turns on
confounders the baseline lacks (molehunt.synth.confounders): IT admins logging on to other people's PCs, security
analysts browsing hacking / keylogger sites and downloading tools, forwarders mailing work attachments to their own
webmail, mass mailers, benign leavers copying personal files to USB in their last weeks, heavy daily USB users.
`profile=None` (not 0) is the simulator above, byte for byte.

`SynthConfig(departures_known=False)` (`molehunt synth --departures-unknown`): every LDAP snapshot keeps listing
people who left, with their last attributes, and hr/hr.csv leaves notice_date and last_day empty; all other files
are the same bytes. None means as the profile says (known without a profile).
"""

from molehunt.synth.cached import ensure_generated
from molehunt.synth.config import InsiderRecord, SynthConfig, SynthResult
from molehunt.synth.generate import generate

__all__ = ["InsiderRecord", "SynthConfig", "SynthResult", "ensure_generated", "generate"]
