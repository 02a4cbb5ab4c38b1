"""Progress rules: started, done, and where to continue."""

from rapport.course.progress import ModuleProgress, continue_with, course_progress, progress_table


def row(
    module="05-listen",
    scenarios_done=0,
    reflections_done=0,
    challenge="",
    assessed=False,
    last=None,
) -> ModuleProgress:
    phase = {"00-welcome": "baseline", "13-be-open": "follow-up"}.get(module)
    return ModuleProgress(
        module, module, scenarios_done, 2, reflections_done, 3, challenge, assessed, last, phase
    )


def test_a_module_is_started_by_anything_and_done_by_role_plays_and_the_challenge():
    assert row().state == "not started"
    assert row(reflections_done=1).state == "started"
    assert row(scenarios_done=2).state == "started"  # the challenge is still open
    assert row(scenarios_done=2, challenge="accepted").state == "done"
    assert row(scenarios_done=1, challenge="did it", reflections_done=3).state == "started"


def test_the_welcome_and_closing_modules_are_done_by_their_self_assessment():
    assert row("00-welcome", reflections_done=1).state == "started"
    assert row("00-welcome", assessed=True).state == "done"
    assert row("13-be-open", assessed=True).state == "done"


def test_progress_is_read_from_the_learners_own_rows(store):
    store.record_run("ana", "05-listen", "the-mixer", "end", [0, 1, 2])
    store.record_run("ana", "05-listen", "the-mixer", "end", [0, 1, 2])  # twice counts once
    store.save_entry("ana", "05-listen", "rehearsing", "text")
    store.save_entry("ana", "05-listen", "not-a-prompt", "stray")  # ignored in the count
    store.accept_challenge("ana", "06-common-ground")
    store.save_assessment("ana", "baseline", {"a": 3})
    store.save_entry("ben", "07-share-experiences", "x", "someone else's")
    rows = {r.module: r for r in course_progress(store.records("ana"))}
    listen = rows["05-listen"]
    assert (listen.scenarios_done, listen.reflections_done, listen.state) == (1, 1, "started")
    assert rows["06-common-ground"].challenge == "accepted"
    assert rows["00-welcome"].state == "done"
    assert rows["07-share-experiences"].state == "not started"
    table = progress_table(list(rows.values()))
    assert list(table.columns) == ["module", "role-plays", "reflections", "challenge", "state"]
    expected = f"1 of {listen.scenarios}"  # role-plays played of those the module has
    assert table.loc[table["module"] == listen.label, "role-plays"].item() == expected


def test_continue_with_the_latest_unfinished_module_else_the_next_one(store):
    rows = course_progress(store.records("new-learner"))
    assert continue_with(rows).module == "00-welcome"
    store.save_assessment("ana", "baseline", {"a": 3})
    store.save_entry("ana", "03-reach-out", "waiting", "text")
    store.save_entry("ana", "02-stay-true", "fitting-in", "text")
    rows = course_progress(store.records("ana"))
    assert continue_with(rows).module == "02-stay-true"  # the most recent one
    done = [
        r
        if r.module == "05-listen"
        else ModuleProgress(
            r.module, r.label, r.scenarios, r.scenarios, 0, r.reflections, "did it", True, None
        )
        for r in rows
    ]
    assert continue_with(done).module == "05-listen"
    all_done = [
        ModuleProgress(r.module, r.label, r.scenarios, r.scenarios, 0, 1, "did it", True, None)
        for r in rows
    ]
    assert continue_with(all_done) is None
