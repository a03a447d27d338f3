# -*- coding: utf-8 -*-
# Copyright: modwsgi.django contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations


class ModuleDocFragment:
    """The ``snapshot`` option of the modules whose action plugin plans from one read of the host."""

    DOCUMENTATION = r"""
options:
  snapshot:
    description:
      - The RV(modwsgi.django.validate_sites#module:host) snapshot of this target, taken with its C(observe) option
        after the last change of this run (the collection's roles pass it).
      - When given, the module's action plugin works out on the controller, with the module's own code run in
        check mode against the snapshot, what the module would do. When that is nothing, the module does not run on
        the target at all and the task reports what it would have reported, with C(planned=true). In check mode the
        planned result is reported (with its diff) without running the module. Otherwise the module runs on the target as usual and
        decides there.
      - A snapshot that does not cover what the module would look at, or options the plan cannot judge, make the
        module run on the target.
    type: dict
"""
