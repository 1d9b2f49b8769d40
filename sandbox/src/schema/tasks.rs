//! A task's properties: due date, title, notes, status, priority, type.
//!
//! Exists so the task's definitions read as one page of a portal's task settings; a task's
//! `hs_timestamp` is its due date, not when it happened.

use super::PropType::{Enumeration, String as Str};
use super::builder::{header, owner, timestamp};
use super::{Options, PropDef};

/// The group of task properties, and of those created through the control API.
pub(super) const GROUP: &str = "task";

/// The record-header properties of a task.
pub(super) const HEADER: [PropDef; 5] = header(GROUP);

/// The properties the generator sets or may set on a task.
pub(super) const PROPERTIES: &[PropDef] = &[
    PropDef {
        label: "Due date",
        description: "The due date of the task",
        ..timestamp(GROUP)
    },
    PropDef::new(
        "hs_task_subject",
        "Task Title",
        Str,
        "text",
        GROUP,
        "The title of the task",
    ),
    PropDef::new(
        "hs_task_body",
        "Notes",
        Str,
        "html",
        GROUP,
        "The body of the task",
    ),
    PropDef::new(
        "hs_task_status",
        "Task Status",
        Enumeration,
        "select",
        GROUP,
        "The status of the task",
    )
    .options(Options::Fixed(&[
        ("NOT_STARTED", "Not Started"),
        ("COMPLETED", "Completed"),
    ])),
    PropDef::new(
        "hs_task_priority",
        "Priority",
        Enumeration,
        "select",
        GROUP,
        "The priority of the task",
    )
    .options(Options::Fixed(&[
        ("LOW", "Low"),
        ("MEDIUM", "Medium"),
        ("HIGH", "High"),
    ])),
    PropDef::new(
        "hs_task_type",
        "Task Type",
        Enumeration,
        "select",
        GROUP,
        "The type of the task",
    )
    .options(Options::Fixed(&[
        ("EMAIL", "Email"),
        ("CALL", "Call"),
        ("TODO", "To-do"),
    ])),
    owner(GROUP),
];
