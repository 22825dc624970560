"""The territory app holds no personal data: cities and districts only (see
``core.personaldata``; the coverage test would name any model that gains a path to a person)."""
