"""What the school IT app does with personal data (privacy notice, ADR 0024)."""

from django.utils.translation import gettext_lazy as _

from rathaus.core.privacy import Activity

ACTIVITIES = (
    Activity(
        key="schools.loans",
        title=_("Devices of the schools lent to pupils"),
        purpose=_(
            "To know which pupil has which device of the school, to print the loan agreement "
            "that the parents sign, and to take the device back."
        ),
        legal_basis=_(
            "Art. 6 (1) (e) GDPR with the school law of Saxony-Anhalt: the town equips its "
            "schools as school authority."
        ),
        data=_(
            "Name and class of the pupil, name of the parent or guardian, the device, when it "
            "was lent and returned; the teacher or person a device is assigned to."
        ),
        recipients=_("The school IT staff of the town and its IT service provider."),
        retention=_("A loan is deleted one year after the device was returned."),
        models=("schools.Loan", "schools.Device"),
    ),
    Activity(
        key="schools.support",
        title=_("School logins and support requests of teachers"),
        purpose=_(
            "To let teachers of the town's schools report problems with devices and rooms and "
            "follow their requests, and to work the requests."
        ),
        legal_basis=_(
            "Art. 6 (1) (e) GDPR: the town looks after the IT of its schools as school authority."
        ),
        data=_(
            "Name and e-mail address of the teacher, the school, the password (only as a "
            "hash), the requests with their text, photo and history."
        ),
        recipients=_("The school IT staff of the town and its IT service provider."),
        retention=_(
            "A school login is deleted when the teacher leaves the school; requests are "
            "deleted two years after they were done."
        ),
        models=("schools.Teacher", "schools.SupportRequest", "schools.RequestEvent"),
    ),
)

WITHOUT_PERSONAL_DATA = ("schools.School", "schools.Room", "schools.CareRecord")
