"""QA replay: recorded sample calls played through the live call session, scored, and reported."""
