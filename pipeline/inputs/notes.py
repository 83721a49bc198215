"""Data notes: what does not stop a report but changes what it counts, per file, counted,
never personal data. Shown by `validate` (over the whole grant), counted in the report's
«Замечания к данным».

Two kinds (docs/figures-conventions.md): notes about rows (`ROW_NOTES`: a publication without
reach, an event without a list, …) count the rows they are given, which for a report are the
rows of its own period and region (`figures.blocks.report_notes`); notes about files and the
whole inputs folder (`FOLDER_NOTES`: files read past, columns without values, records outside
every period, totals and signature rows) belong to no period or region and are the same in
every report.

Imports no pandera: every report's kernel computes these.
"""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from pipeline.inputs.datawarning import DataWarning, ids_text, labels, per_file, plural, rows_at
from pipeline.inputs.grant import Grant
from pipeline.inputs.lines import where_text
from pipeline.inputs.loading import Inputs
from pipeline.inputs.reading import Part
from pipeline.inputs.readpast import empty_figure_columns, rows_not_records, scaled_columns, sheets_of_no_table, unknown_files
from pipeline.inputs.schema import mixes_scripts, person_key, word_key
from pipeline.inputs.values import region_words
from pipeline.language import N_

# Every kind of data warning, with what the report's appendix «Замечания к данным» says of it.
WARNING_LABELS = {
    "media.no_reach": N_("публикаций без охвата (охват учтен как 0)"),
    "events.no_attendance": N_("мероприятий без списка регистрации и без заявленного числа участников (учтены как 0)"),
    "surveys.no_list": N_("анкет по мероприятиям без списка регистрации"),
    "surveys.beyond_list": N_("анкет сверх числа людей в списке регистрации"),
    "surveys.not_training": N_("анкет по мероприятиям, которые не являются тренингами (не учтены в оценках)"),
    "dates.outside_periods": N_("записей вне всех отчетных периодов (не учтены ни в одном отчете)"),
    "columns.no_values": N_("записей в таблицах без значений в столбце, из которого считаются показатели "
                            "(эти показатели пусты или равны 0)"),
    "inputs.unknown_file": N_("файлов в папке исходных данных и листов книг Excel, не относящихся ни к одной таблице, "
                              "и ссылок за пределы папки (не прочитаны)"),
    "inputs.totals_row": N_("строк «Итого» в таблицах (пропущены: показатели складываются из записей)"),
    "inputs.signature_row": N_("строк подписей под таблицами (пропущены)"),
    "inputs.scaled_column": N_("записей, значения которых пересчитаны по единице в заголовке столбца "
                               "(«тыс.», «млн»: умножены на 1 000 или 1 000 000)"),
    "participants.mixed_script": N_("имен в списках регистрации, в которых смешаны латинские и кириллические буквы "
                                    "(один человек может быть учтен дважды)"),
    "inputs.file_setting": N_("записей, в которых значение столбца расходится с настройкой файла в grant.yml "
                              "(files:; учтено значение записи)"),
    "events.untitled_topic": N_("тем тренингов без названия в grant.yml (topics:), тренинги которых названы по-разному "
                                "(тема названа своим кодом)"),
    "records.unknown_id": N_("анкет с кодом консультации или мероприятия, которого нет в таблицах "
                             "(не учтены в показателях)"),
    "metrics.unlabelled": N_("показателей из metrics без названия в grant.yml (metrics:; в отчете названы своим "
                             "кодом)"),
}

#: The notes about rows: a report counts those of its own period and region (`row_warnings`).
ROW_NOTES = ("media.no_reach", "events.no_attendance", "surveys.no_list", "surveys.beyond_list",
             "surveys.not_training", "participants.mixed_script")
#: The notes about files and the whole inputs folder: the same in every report (`folder_warnings`).
FOLDER_NOTES = ("dates.outside_periods", "columns.no_values", "inputs.unknown_file", "inputs.totals_row",
                "inputs.signature_row", "inputs.scaled_column", "records.unknown_id", "inputs.file_setting",
                "events.untitled_topic", "metrics.unlabelled")


def data_warnings(inputs: Inputs) -> list[DataWarning]:
    """What does not stop a report but changes what it counts, over the whole grant (what
    `validate` prints): per file, counted, never personal."""
    return in_order(row_warnings(inputs.tables) + folder_warnings(inputs))


def in_order(found: list[DataWarning]) -> list[DataWarning]:
    """Warnings as they are printed and listed: by file, then by code."""
    return sorted(found, key=lambda w: (w.message.split(":", 1)[0], w.code))


def folder_warnings(inputs: Inputs) -> list[DataWarning]:
    """The notes about files and the whole folder (`FOLDER_NOTES`): records outside every
    period, columns without values, files and sheets read past, totals and signature rows,
    columns scaled by their header's unit. Made once per inputs (`Inputs.folder_notes`)."""
    if inputs.folder_notes is None:
        inputs.folder_notes = _folder_warnings(inputs)
    return list(inputs.folder_notes)


def _folder_warnings(inputs: Inputs) -> list[DataWarning]:
    return [*inputs.left_out, *_outside_periods(inputs), *empty_figure_columns(inputs.tables, inputs.parts),
            *unknown_files(inputs.root, inputs.hashes, inputs.files, inputs.shown), *sheets_of_no_table(inputs.unread),
            *rows_not_records(inputs.parts), *scaled_columns(inputs.tables, inputs.parts),
            *disagreeing_cells(inputs.tables, inputs.parts, inputs.grant),
            *untitled_topics(inputs.tables["events"], inputs.grant),
            *unlabelled_metrics(inputs.tables["metrics"], inputs.grant)]


def row_warnings(t: Mapping[str, pd.DataFrame]) -> list[DataWarning]:
    """The notes about rows (`ROW_NOTES`) of `t`, the tables by name: the whole grant's, or
    the rows one report counts. A questionnaire or list counts with its event."""
    found: list[DataWarning] = []
    media = t["media"]
    for file, rows in per_file(media, media["reach"].isna()):
        found.append(DataWarning("media.no_reach", f"{rows_at(file, rows)}: "
                                 f"{plural(len(rows), 'publication', 'publications')} without reach (counted as 0)",
                                 len(rows), labels("media", rows)))

    events, participants, surveys = t["events"], t["participants"], t["training_surveys"]
    listed = participants.assign(person=participants["full_name"].map(person_key)) \
        .drop_duplicates(["event_id", "person"]).groupby("event_id").size()
    no_list = events["event_id"].map(listed).isna()
    for file, rows in per_file(events, no_list & events["reported_participants"].isna()):
        found.append(DataWarning(
            "events.no_attendance",
            f"{rows_at(file, rows)}: {plural(len(rows), 'event', 'events')} with neither a registration list nor "
            f"reported_participants (attendance counted as 0): {ids_text(rows['event_id'])}", len(rows),
            labels("events", rows)))

    for file, rows in per_file(surveys, ~surveys["event_id"].isin(listed.index)):
        found.append(DataWarning(
            "surveys.no_list",
            f"{rows_at(file, rows)}: {plural(len(rows), 'questionnaire', 'questionnaires')} for events without a "
            f"registration list: {ids_text(rows['event_id'])}", len(rows), labels("training_surveys", rows)))
    for file, part in per_file(surveys, surveys["event_id"].isin(listed.index)):
        forms = part.groupby("event_id").size()
        excess = (forms - listed.reindex(forms.index)).clip(lower=0)
        excess = excess[excess > 0]
        if len(excess):
            n = int(excess.sum())
            over = part[part["event_id"].isin(excess.index)]
            lists = participants[participants["event_id"].isin(excess.index)]
            found.append(DataWarning(
                "surveys.beyond_list",
                f"{rows_at(file, over)}: {plural(n, 'questionnaire', 'questionnaires')} more than people on the "
                f"registration list: {ids_text(excess.index)}", n,
                labels("training_surveys", over) + labels("participants", lists)))
    kinds = events.set_index("event_id")["type"] if len(events) else pd.Series(dtype=object)
    kinds = kinds[~kinds.index.duplicated()]
    surveyed_kind = surveys["event_id"].map(kinds)
    for file, rows in per_file(surveys, surveyed_kind.notna() & (surveyed_kind != "training")):
        found.append(DataWarning(
            "surveys.not_training",
            f"{rows_at(file, rows)}: {plural(len(rows), 'questionnaire', 'questionnaires')} for events that are not "
            f"trainings (not counted in the survey figures): {ids_text(rows['event_id'])}", len(rows),
            labels("training_surveys", rows)))
    found += mixed_script_names(participants)
    return found


# table -> (date column, counted while within a period | on or before a period's end)
DATED = {
    "events": ("start_date", "within"), "consultations": ("date", "within"),
    "feedback": ("date", "within"), "media": ("date", "within"), "expenses": ("date", "within"),
    "centres": ("opened", "by_end"), "metrics": ("date", "by_end"),
}


def _outside_periods(inputs: Inputs) -> list[DataWarning]:
    periods = [(pd.Timestamp(p.start), pd.Timestamp(p.end)) for p in inputs.grant.periods]
    last_end = max(end for _, end in periods)
    found = []
    for table, (column, rule) in DATED.items():
        frame = inputs[table]
        if not len(frame):
            continue
        dates = frame[column]
        if rule == "within":
            inside = pd.Series(False, index=frame.index)
            for start, end in periods:
                inside |= dates.between(start, end, inclusive="both")
            text = "dated outside every period (not counted in any report)"
        else:
            inside = dates <= last_end
            text = "dated after every period's end (not counted in any report)"
        for file, rows in per_file(frame, dates.notna() & ~inside):
            found.append(DataWarning("dates.outside_periods",
                                     f"{rows_at(file, rows)}: {plural(len(rows), 'record', 'records')} {text}", len(rows),
                                     labels(table, rows)))
    return found


def mixed_script_names(participants: pd.DataFrame) -> list[DataWarning]:
    """A warning per file of registration lists whose names mix Latin and Cyrillic letters
    (`schema.mixes_scripts`): such a name is another person to the count than the same name
    typed in one alphabet. Named by line, never by name."""
    found = []
    for file, rows in per_file(participants, participants["full_name"].map(mixes_scripts).astype(bool)):
        found.append(DataWarning(
            "participants.mixed_script", f"{rows_at(file, rows)}: {plural(len(rows), 'name', 'names')} mixing Latin and "
            f"Cyrillic letters: each may be one person counted twice; retype the name in one alphabet",
            len(rows), labels("participants", rows)))
    return found


# ---------------------------------------------------------------- what grant.yml's files: says

def disagreeing_cells(tables: Mapping[str, pd.DataFrame], parts: dict[str, list[Part]], grant: Grant) -> list[DataWarning]:
    """A warning per file and column whose cells disagree with the value grant.yml's `files:`
    gives that column (the file has the column: its own values are counted), naming the rows."""
    regions = region_words(grant)
    found = []
    for table, of_table in parts.items():
        frame = tables.get(table)
        for part in of_table:
            if frame is None or not part.constants:
                continue
            rows = frame[frame["_file"] == part.file]
            for column, value in part.constants:
                if column in part.made:
                    continue
                expected = regions.get(word_key(value)) or value if column == "region" else value
                cells = rows[column].astype(str)
                wrong = rows[(cells != "") & (cells.map(word_key) != word_key(expected))]
                if len(wrong):
                    found.append(DataWarning("inputs.file_setting", (
                        f"{where_text(part.file, [int(r) for r in wrong['_row']])}: {column} differs from grant.yml "
                        f"files «{part.setting}» ({column}: {value}): the rows' own values are counted"),
                        len(wrong), labels(table, wrong)))
    return found


def untitled_topics(events: pd.DataFrame, grant: Grant) -> list[DataWarning]:
    """A warning per training topic grant.yml gives no title (`topics:`) whose trainings carry
    several titles: the report names it by its id, never by one training's title."""
    trainings = events[(events["type"] == "training") & (events["topic_id"].fillna("") != "")]
    found = []
    for topic, rows in trainings.groupby("topic_id", sort=True):
        titles = sorted(set(rows["title"].astype(str)))
        if topic in grant.topics or len(titles) < 2:
            continue
        where = "; ".join(where_text(str(file), [int(r) for r in part["_row"]]) for file, part in rows.groupby("_file"))
        shown = ", ".join(f"«{title}»" for title in titles[:3]) + (", …" if len(titles) > 3 else "")
        found.append(DataWarning("events.untitled_topic", (
            f"{where}: topic_id = {topic}: its trainings carry {len(titles)} titles ({shown}) and grant.yml gives the "
            f"topic none: the report names it {topic}; write its title in grant.yml (topics: {{{topic}: {{title: …}}}})"),
            1, labels("events", rows)))
    return found


def unlabelled_metrics(metrics: pd.DataFrame, grant: Grant) -> list[DataWarning]:
    """A warning per metric of the metrics table grant.yml gives no label (`metrics:`): the
    report's metrics table names a metric by its label, never by its code but for want of one."""
    found = []
    for name, rows in metrics.groupby("name", sort=True):
        if name in grant.metrics:
            continue
        where = "; ".join(where_text(str(file), [int(r) for r in part["_row"]]) for file, part in rows.groupby("_file"))
        found.append(DataWarning("metrics.unlabelled", (
            f"{where}: name = {name}: grant.yml gives the metric no label: the report names it {name}; "
            f'write its label in grant.yml (metrics: {{{name}: "…"}})'), 1, labels("metrics", rows)))
    return found
