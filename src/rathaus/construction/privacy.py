"""What the construction sites do with personal data (privacy notice, ADR 0024).

Construction sites, disruptions and projects are about streets and buildings, not people; the
responsible body is an office or a company, never a private person."""

ACTIVITIES = ()

WITHOUT_PERSONAL_DATA = (
    "construction.Disruption",
    "construction.DisruptionDocument",
    "construction.Project",
    "construction.ProjectPhase",
    "construction.ProjectPicture",
)
