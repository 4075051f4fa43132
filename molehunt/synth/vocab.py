"""Static vocabularies of the simulator: names, org templates, real web domains, keywords, file types.

Everything here is plain data so the generators stay small. Domains are real, well-known names that a
detector's default lists (job sites, cloud storage, leak and hacking sites) would contain, so a detector
tuned on synthetic data does not learn simulator-invented names. No entry may contain a comma, a quote or
a newline: the CSV files are written without quoting.
"""

from __future__ import annotations


def _w(text: str) -> tuple[str, ...]:
    """Whitespace-separated words -> tuple (keeps the long lists readable)."""
    return tuple(text.split())


FIRST_NAMES: tuple[str, ...] = _w(
    """
    Aaron Abel Ada Adam Adrian Agnes Alan Albert Alden Alec Alice Allen Alma Amber Amos Andrew
    Angela Anna Arthur Audrey Austin Barbara Barry Basil Beatrice Ben Bernard Beth Blake Bonnie
    Boris Brenda Brian Bruce Caleb Calvin Camille Carl Carla Carmen Carol Cecil Celia Chad Charles
    Chloe Clara Claude Clement Colin Connor Cora Craig Cyrus Dale Dana Daniel Daphne David Dean
    Delia Denise Derek Diana Dolores Donald Dora Drew Dustin Dylan Eden Edgar Edith Edwin Eileen
    Elaine Eli Elijah Ella Elmer Emery Emma Eric Erin Ethan Eugene Eve Felix Fiona Floyd Frances
    Frank Gail Gavin Gemma George Gideon Gloria Grace Grant Gwen Hal Hannah Harold Harvey Hazel
    Hector Helen Henry Holly Hugo Ian Ida Imogen Irene Isaac Ivan Ivy Jack Jacob Jade James Jane
    Jared Jason Jean Jerome Jill Joan Joel John Jonah Joseph Joy Judith Julian June Justin Karen
    Keith Kelly Kevin Kirk Kyle Lana Laura Leah Leo Leon Lewis Lila Linus Lionel Lois Lucas Lucy
    Luke Lydia Mabel Malcolm Mara Marcus Mark Martha Martin Mavis Maya Megan Melvin Mia Miles Milo
    Miriam Molly Morgan Nadia Nathan Neil Nell Nina Noah Nolan Nora Oliver Olivia Omar Oscar Owen
    Paige Pamela Paul Pearl Peter Philip Phoebe Quentin Quinn Rachel Ralph Ray Rebecca Reed Rhea
    Rita Robert Roger Rose Ross Ruby Rufus Ruth Ryan Sabrina Sadie Samuel Sara Scott Selma Seth
    Sharon Silas Simon Sophie Stella Steven Susan Sylvia Tanya Ted Thea Theo Thomas Tina Tobias Todd
    Trent Troy Uma Ursula Valerie Vance Vera Victor Vivian Wade Wallace Walter Wanda Warren Wendy
    Wesley Willa Xavier Yara Yvonne Zachary Zane Zelda Zoe
    """
)

LAST_NAMES: tuple[str, ...] = _w(
    """
    Abbott Acosta Adams Aguilar Alexander Allison Alvarez Anderson Andrews Armstrong Arnold Atkins
    Austin Avila Bailey Baker Baldwin Ball Banks Barber Barker Barnes Barr Barrett Bass Bates Baxter
    Beck Bell Bennett Benson Berry Bishop Black Blair Blake Boone Bowen Boyd Bradley Brady Brewer
    Briggs Brooks Bryant Buck Burke Burns Bush Butler Byrd Cain Caldwell Camacho Cameron Campbell
    Cannon Carlson Carpenter Carr Carroll Carson Carter Castillo Chambers Chandler Chapman Chase
    Clark Clay Cobb Cohen Cole Coleman Collins Conway Cooke Cooper Craig Crane Crawford Cross Cruz
    Curtis Dalton Daniels Davidson Dawson Day Dean Delgado Dennis Dixon Dodson Donovan Douglas Doyle
    Drake Duffy Duncan Dunn Dyer Eaton Elliott Ellis Erickson Estes Evans Farmer Farrell Ferguson
    Fields Finch Fisher Fleming Fletcher Flynn Ford Foster Fowler Fox Francis Franklin Frost Fuller
    Gaines Gallagher Garcia Gardner Garrett Gibbs Gibson Gilbert Glass Glover Goodwin Gordon Graham
    Grant Graves Gray Greene Griffin Grimes Guerrero Hale Hall Hamilton Hammond Hancock Hardy Harper
    Harris Hart Hawkins Hayes Henderson Henry Hicks Hines Hodge Holland Holmes Hood Hopkins Horton
    Houston Howard Hubbard Hudson Hughes Hunt Ingram Irwin Jacobs James Jarvis Jennings Jensen
    Johnston Joyce Kane Keller Kelley Kemp Kennedy Kent Kirby Klein Knight Lamb Lambert Lane Larson
    Lawrence Leach Lester Lewis Lindsey Little Logan Long Love Lowe Lucas Lynch Mack Maddox Malone
    Mann Marsh Mason Mathis Maxwell Mayer McBride McCoy McKee Meadows Mercer Meyer Miles Mills
    Monroe Moody Morgan Morrow Moss Murphy Nash Neal Nelson Newman Noble Nolan Norris Norton Oliver
    Olson Ortiz Owen Page Palmer Park Parker Parsons Patton Payne Pearson Perkins Perry Peters
    Pierce Pope Porter Potter Powell Pratt Preston Price Quinn Ramsey Randall Ray Reed Reese Reid
    Reyes Rhodes Rice Riley Rivers Robbins Rogers Rose Ross Rowe Russell Salazar Sanders Sawyer
    Schmidt Sharp Shaw Shelton Sherman Simmons Singleton Sloan Snow Spencer Stanley Stark Steele
    Stone Strong Sullivan Sutton Swanson Tate Terry Thornton Todd Tucker Turner Tyler Underwood
    Vance Vaughn Wade Walsh Walton Ward Warner Watkins Weaver Webb Wells West Wheeler Whitney Wilcox
    Wiley Wolfe Wood Wright Wyatt York Young Zamora
    """
)

# (department, functional unit, member roles, share of the staff). The first three always exist.
DEPARTMENTS: tuple[tuple[str, str, tuple[str, ...], float], ...] = (
    ("Engineering", "3 - ResearchAndEngineering", ("Engineer", "Scientist", "Technician"), 0.30),
    ("Sales", "5 - SalesAndMarketing", ("Salesman", "SalesRepresentative"), 0.18),
    ("IT", "1 - Administration", ("ITAdmin",), 0.06),
    ("Production", "2 - Manufacturing", ("ProductionLineWorker", "Technician"), 0.18),
    ("Accounting", "4 - Finance", ("Accountant", "FinancialAnalyst"), 0.08),
    ("HumanResources", "1 - Administration", ("HRSpecialist",), 0.04),
    ("Facilities", "1 - Administration", ("AdministrativeAssistant",), 0.06),
    ("Purchasing", "6 - Purchasing", ("PurchasingAgent",), 0.06),
)

PROJECT_NAMES: tuple[str, ...] = _w(
    """
    Atlas Borealis Cobalt Dynamo Ember Falcon Granite Helios Indigo Juniper Kestrel Lumen Meridian
    Nimbus Obsidian Polaris Quasar Raptor Sierra Titan Umbra Vertex Willow Xenon Yukon Zephyr Aurora
    Basalt Cirrus Delta Echo Fathom Gemini Harbor Ion Jasper Krypton Lynx Mistral Nova Orion Pioneer
    Quartz Radiant Sable Tempest Ultra Vortex Warden Zenith
    """
)
PROJECT_SUBDIRS: tuple[str, ...] = ("specs", "design", "test", "reports", "budget", "contracts", "drawings")

INTERNAL_DOMAIN = "dtaa.com"
WEBMAIL_DOMAINS: tuple[str, ...] = (
    "gmail.com", "yahoo.com", "hotmail.com", "aol.com", "comcast.net", "msn.com", "verizon.net", "juno.com",
    "earthlink.net", "cox.net",
)  # fmt: skip
BUSINESS_DOMAINS: tuple[str, ...] = (
    "lockheedmartin.com", "boeing.com", "raytheon.com", "northropgrumman.com", "harris.com", "ge.com",
    "honeywell.com", "l-3com.com", "saic.com", "bah.com", "ibm.com", "hp.com", "dell.com", "cisco.com",
    "oracle.com", "accenture.com", "deloitte.com", "kpmg.com", "fedex.com", "ups.com",
)  # fmt: skip
COMPETITOR_DOMAINS: tuple[str, ...] = ("raytheon.com", "northropgrumman.com", "lockheedmartin.com")

# Web categories: name -> real domains. Order matters: indices are used as category codes.
WEB_CATEGORIES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("news", ("cnn.com", "nytimes.com", "washingtonpost.com", "bbc.co.uk", "foxnews.com", "reuters.com",
              "usatoday.com", "wsj.com", "npr.org", "bloomberg.com", "huffingtonpost.com", "latimes.com")),
    ("search", ("google.com", "bing.com", "yahoo.com", "ask.com", "wikipedia.org", "answers.com")),
    ("shopping", ("amazon.com", "ebay.com", "walmart.com", "target.com", "bestbuy.com", "craigslist.org",
                  "etsy.com", "newegg.com")),
    ("social", ("facebook.com", "twitter.com", "myspace.com", "youtube.com", "flickr.com", "reddit.com",
                "tumblr.com")),
    ("business", ("weather.com", "espn.go.com", "imdb.com", "webmd.com", "mapquest.com", "irs.gov",
                  "microsoft.com", "adobe.com", "apple.com", "salesforce.com", "office.com", "stackoverflow.com")),
    ("job", ("monster.com", "indeed.com", "careerbuilder.com", "linkedin.com", "simplyhired.com",
             "glassdoor.com", "dice.com", "hotjobs.yahoo.com")),
    ("cloud", ("dropbox.com", "drive.google.com", "box.com", "onedrive.live.com", "mediafire.com",
               "4shared.com")),
    ("leak", ("wikileaks.org", "cryptome.org", "pastebin.com")),
    ("hacking", ("actualkeylogger.com", "refog.com", "spyrix.com", "keylogger.org", "softactivity.com",
                 "hackforums.net")),
    ("download", ("download.com", "softpedia.com", "filehippo.com", "sourceforge.net")),
)  # fmt: skip
CATEGORY_INDEX: dict[str, int] = {name: i for i, (name, _) in enumerate(WEB_CATEGORIES)}

CATEGORY_KEYWORDS: dict[str, tuple[str, ...]] = {
    "news": ("election", "senate", "economy", "market", "storm", "president", "court", "report", "police",
             "health", "war", "budget", "vote", "oil"),
    "search": ("search", "results", "images", "maps", "definition", "encyclopedia", "history", "reference"),
    "shopping": ("price", "cart", "shipping", "deal", "review", "order", "sale", "discount", "laptop", "shoes"),
    "social": ("friends", "photo", "video", "comment", "like", "share", "profile", "party", "music", "game"),
    "business": ("forecast", "score", "movie", "symptoms", "directions", "tax", "software", "update",
                 "download", "support"),
    "job": ("resume", "job", "career", "salary", "interview", "hiring", "opening", "position", "apply",
            "recruiter", "benefits"),
    "cloud": ("upload", "share", "folder", "sync", "storage", "file", "link", "backup"),
    "leak": ("leak", "classified", "document", "cable", "secret", "whistleblower", "disclosure", "anonymous"),
    "hacking": ("keylogger", "spy", "monitor", "stealth", "password", "capture", "keystroke", "remote"),
    "download": ("download", "free", "version", "installer", "setup", "utility", "driver", "trial"),
}  # fmt: skip

WORK_WORDS: tuple[str, ...] = _w(
    """
    project budget review meeting schedule design test report contract proposal customer invoice
    status deadline requirements specification quarterly forecast delivery milestone risk plan draft
    approval estimate prototype vendor audit training safety release integration support update
    minutes agenda
    """
)
PERSONAL_WORDS: tuple[str, ...] = _w(
    """
    dinner weekend family kids birthday vacation movie game photos party holiday lunch trip wedding
    doctor house car weather friends
    """
)
ANNOUNCE_WORDS: tuple[str, ...] = _w(
    """
    announcement reminder all staff newsletter benefits enrollment policy update holiday schedule event
    town hall training deadline parking office closure welcome survey
    """
)
ALARM_WORDS: tuple[str, ...] = _w(
    """
    layoffs fraud lies resign cheat betrayal scandal angry truth warning
    """
)
SENSITIVE_WORDS: tuple[str, ...] = _w(
    """
    proprietary confidential design schematic source pricing bid customer list roadmap patent
    """
)

# Extension -> hex magic written at the start of `content`.
FILE_TYPES: tuple[tuple[str, str], ...] = (
    ("doc", "D0-CF-11-E0-A1-B1-1A-E1"),
    ("pdf", "25-50-44-46-2D"),
    ("docx", "50-4B-03-04-14"),
    ("zip", "50-4B-03-04-14"),
    ("jpg", "FF-D8"),
    ("txt", "EF-BB-BF"),
    ("exe", "4D-5A"),
)
DOC_TYPE_WEIGHTS: tuple[float, ...] = (0.3, 0.25, 0.2, 0.07, 0.1, 0.08, 0.0)
EXE_TYPE = 6

PATH_WORDS: tuple[str, ...] = _w(
    """
    index home news article story page view item detail search results post blog archive list topic
    category profile watch jobs forum thread wiki help about download files share upload
    """
)
