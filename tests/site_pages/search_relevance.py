"""The search's relevance set: real queries on the bundled real data, each with the occupations a
good search puts in its top 3 (any one of them counts as a hit).

Titles, ONS job titles, misspellings, plurals, split and joined words, and codes. Add every miss
found when trying the search by hand.
"""

SOC_2134_03 = ["OCC0116", "OCC0128", "OCC0763", "OCC0482J", "OCC0119D", "OCC0953A", "OCC0953B"]
CYBER = ["OCC0865", "OCC0409", "OCC1021A", "OCC1021B", "OCC1021C", "OCC0482A", "OCC0119F"]
SUPPORT = ["OCC0120A", "OCC0120B", "OCC0949", "OCC0973A", "OCC0973B", "OCC0973C", "OCC0505"]

RELEVANCE = [
    # Titles, plurals, misspellings.
    ("software developer", ["OCC0116"]),
    ("software developers", ["OCC0116"]),
    ("sofware developer", ["OCC0116"]),
    ("data analyst", ["OCC0118"]),
    ("data analysts", ["OCC0118"]),
    ("data analist", ["OCC0118"]),
    ("network engineer", ["OCC0127"]),
    ("network engineers", ["OCC0127"]),
    ("netwrok engineer", ["OCC0127"]),
    ("data scientist", ["OCC0585"]),
    ("data sceintist", ["OCC0585"]),
    ("data engineer", ["OCC1386"]),
    ("software tester", ["OCC0129"]),
    ("software testers", ["OCC0129"]),
    ("business analyst", ["OCC0117"]),
    ("bussiness analyst", ["OCC0117"]),
    ("machine learning", ["OCC1398"]),
    ("machine learning engineers", ["OCC1398"]),
    ("games designer", ["OCC1074"]),
    ("game designer", ["OCC1074"]),
    ("game programmer", ["OCC0953A", "OCC0953B"]),
    ("digital product manager", ["OCC0964"]),
    ("product manager", ["OCC0964"]),
    ("community manager", ["OCC0345"]),
    ("network cable installer", ["OCC0485"]),
    ("cable installer", ["OCC0485"]),
    ("radio network technician", ["OCC0757"]),
    ("digital learning designer", ["OCC0974"]),
    ("data technician", ["OCC0795"]),
    ("device repair", ["OCC0682"]),
    ("digital forensics", ["OCC1343", "OCC1409"]),
    ("forensic", ["OCC1343", "OCC1409"]),
    ("spatial data", ["OCC0957"]),
    ("accessibility", ["OCC0863"]),
    ("pharmacist", ["OCC0702"]),
    ("pharmacists", ["OCC0702"]),
    ("packhouse", ["OCC0016"]),
    ("artificial intelligence", ["OCC0763", "OCC1512"]),
    ("AI", ["OCC0763", "OCC1512"]),
    ("user experience", ["OCC0470", "OCC1073"]),
    ("ux", ["OCC0470", "OCC1073"]),
    # Prefixes, and words with or without spaces and hyphens.
    ("softw", ["OCC0116", "OCC0128", "OCC0129"]),
    ("cyber security", CYBER),
    ("cybersecurity", CYBER),
    ("cyber-security", CYBER),
    ("devops", ["OCC0825"]),
    ("dev ops", ["OCC0825"]),
    ("front end developer", ["OCC1118"]),
    ("front-end developer", ["OCC1118"]),
    ("frontend developer", ["OCC1118"]),
    # Job titles people use, through the ONS coding index or the maps' own job titles.
    ("programmer", ["OCC0953A", "OCC0953B", "OCC0116"]),
    ("computer programmer", SOC_2134_03),
    ("web developer", ["OCC0116", "OCC1118"]),
    ("web designer", ["OCC0625", "OCC0863"]),
    ("IT technician", ["OCC0505", *SUPPORT]),
    ("IT support", SUPPORT),
    ("penetration tester", CYBER),
    ("helpdesk analyst", SUPPORT),
    ("help desk analyst", SUPPORT),
    ("test analyst", ["OCC0129", "OCC0482K"]),
    ("qa engineer", ["OCC0129", "OCC0482K", "OCC1075"]),
    ("desktop engineer", SUPPORT),
    # Codes.
    ("OCC0118", ["OCC0118"]),
    ("occ0116", ["OCC0116"]),
    ("ST0118", ["OCC0118"]),
    ("st0127", ["OCC0127"]),
    ("SOC 2010 2136", ["OCC0116", "OCC0119A", "OCC0825", "OCC1118", "OCC1074"]),
    ("2134/03", SOC_2134_03),
    ("SOC 2020 2134", ["OCC0116", "OCC0119D", "OCC0482J", "OCC0482G", "OCC0482H", "OCC0763"]),
]
