"""What the digital projects do with personal data (privacy notice, ADR 0024).

Projects, their funding and the council paper are about the town's work, not about citizens;
the responsible person of a project and the author of a paper are staff in their office."""

ACTIVITIES = ()

WITHOUT_PERSONAL_DATA = (
    "projects.Project",
    "projects.Milestone",
    "projects.Risk",
    "projects.PaperLink",
    "projects.Programme",
    "projects.Grant",
    "projects.Extension",
    "projects.Payment",
    "projects.ReportDeadline",
    "projects.ReportSnapshot",
)
