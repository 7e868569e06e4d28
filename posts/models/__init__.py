from posts.models.dutylogs import DailyCoverage, DutyAttendance, DutyLog, DutyLogRevision
from posts.models.guards import GuardRule
from posts.models.members import Member, MemberAssignment
from posts.models.posts import Post, PostPeriod
from posts.models.rosters import RosterRule, Shift

__all__ = [
    "DailyCoverage",
    "DutyAttendance",
    "DutyLog",
    "DutyLogRevision",
    "GuardRule",
    "Member",
    "MemberAssignment",
    "Post",
    "PostPeriod",
    "RosterRule",
    "Shift",
]
