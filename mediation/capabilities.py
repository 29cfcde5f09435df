"""Every capability that registers into a lower one, imported once at start-up by each process that
records case events or loads a case: the web app (`mediation/app.py`, and so every test), the sweep
command (`python -m mediation.reminders.sweep`, also the scheduler's child process).

Lower capabilities never import higher ones (tests/test_capability_layout.py). Where a lower one must
still reach a higher one at run time, the higher one registers itself when its module is imported:
- `cases/repository.py: add_mediation_facts`, `add_appeal_facts`: the facts of the case aggregate the
  adviser stage (`advice/service.py`), the meetings diary (`scheduling/service.py`) and the tribunal
  (`tribunal/commands.py`) own;
- `cases/events.py: add_writes`: rows that change with a case event, in its transaction (`withdrawn`:
  `sessions/service.py` cancels the booked meetings; `succeeded`: `tribunal/duties.py` moves open duties;
  `session_booked`, `offer_accepted`: `polls/service.py` closes the case's open polls).
- `offers/service.py: add_code_holder`: poll invitees' reply codes (`polls/service.py`), so a new code is
  unique across both;
- `services/service.py: set_meetings_during`: a mediator's booked meetings, over which leave is refused
  (`scheduling/service.py`, the diary's owner).
Each refuses to work (RuntimeError) in a process that never imported what it needs.
"""

from mediation.advice import service as advice
from mediation.polls import service as polls
from mediation.scheduling import service as scheduling
from mediation.sessions import service as sessions
from mediation.tribunal import commands as tribunal_commands
from mediation.tribunal import duties as tribunal_duties

REGISTERED = (advice, polls, scheduling, sessions, tribunal_commands, tribunal_duties)
