from typing import Any

from django.core.management.base import BaseCommand

from wspolnota.accounts.services import personal_data_purge


class Command(BaseCommand):
    help = "Apply the personal-data retention periods (RETENTION_* settings). Run daily from cron or a timer."

    def handle(self, *args: Any, **options: Any) -> None:
        result = personal_data_purge()
        self.stdout.write(
            f"removed {result['sms_codes']} old SMS codes, erased {result['inactive_accounts']} "
            f"inactive accounts, purged the voter rolls of {result['voter_rolls']} editions, "
            f"erased deleted accounts' names from {result['audit_entries']} audit entries, "
            f"cleared {result['messages']} old messages, "
            f"{result['volunteer_agreements']} volunteering agreements past retention, "
            f"deleted the files of {result['letter_batches']} printed letter batches"
        )
