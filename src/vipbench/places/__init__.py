"""Places: turning place names into points and hierarchies, offline.

Below both `scoring` (the place judge, the distance ladder) and `models` (the OCR and EXIF
adversaries): the gazetteer (names, aliases, regions, cities), landmark sites, world regions,
scripts and transliteration, and great-circle geometry.
"""
