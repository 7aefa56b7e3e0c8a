"""Everything that touches a web page: discovery, browser engines, checks, journeys."""
