# -*- coding: utf-8 -*-
# Copyright: modwsgi.django contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations


class ModuleDocFragment:
    """The ``attributes`` entries that are worded the same in several modules (each module keeps its own
    ``check_mode`` wording where it says what that module does in check mode)."""

    # The modules that return no diff.
    DOCUMENTATION = r"""
attributes:
  diff_mode:
    support: none
    description: Nothing to diff.
"""

    # modwsgi.django.attributes.read_only: modules that only read, and so run in check mode as in a real run.
    READ_ONLY = r"""
attributes:
  check_mode:
    support: full
    description: Read-only.
"""
