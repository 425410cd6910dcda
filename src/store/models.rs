//! The GPU model catalogue and its aliases.

use rusqlite::{params, Connection, OptionalExtension, Row};

use crate::domain::GpuModel;
use crate::error::Result;

const MODEL_COLUMNS: &str = "m.id, m.name, m.architecture, m.memory_mib, m.tdp_w, m.mig_capable,
    m.mig_profiles, m.hourly_cost, m.builtin, m.created_at, m.updated_at,
    (SELECT json_group_array(alias) FROM
        (SELECT alias FROM gpu_model_aliases WHERE model_id = m.id ORDER BY alias)),
    (SELECT count(*) FROM devices WHERE model_id = m.id)";

fn model_from_row(row: &Row) -> rusqlite::Result<GpuModel> {
    let json_error = |i, e: serde_json::Error| {
        rusqlite::Error::FromSqlConversionFailure(i, rusqlite::types::Type::Text, e.into())
    };
    let profiles: String = row.get(6)?;
    let aliases: String = row.get(11)?;
    Ok(GpuModel {
        id: row.get(0)?,
        name: row.get(1)?,
        architecture: row.get(2)?,
        memory_mib: row.get(3)?,
        tdp_w: row.get(4)?,
        mig_capable: row.get(5)?,
        mig_profiles: serde_json::from_str(&profiles).map_err(|e| json_error(6, e))?,
        hourly_cost: row.get(7)?,
        builtin: row.get(8)?,
        created_at: row.get(9)?,
        updated_at: row.get(10)?,
        aliases: serde_json::from_str(&aliases).map_err(|e| json_error(11, e))?,
        devices: row.get(12)?,
    })
}

/// Every model, by name.
pub fn list(conn: &Connection) -> Result<Vec<GpuModel>> {
    Ok(page(conn, super::Page::ALL)?.0)
}

/// One page of the catalogue, by name, and how many models it has.
pub fn page(conn: &Connection, page: super::Page) -> Result<(Vec<GpuModel>, i64)> {
    let sql = format!(
        "SELECT {MODEL_COLUMNS} FROM gpu_models m ORDER BY m.name{}",
        page.sql()
    );
    let mut stmt = conn.prepare_cached(&sql)?;
    let rows = stmt
        .query_map([], model_from_row)?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    let total = page.total(conn, "SELECT 1 FROM gpu_models", &[], rows.len())?;
    Ok((rows, total))
}

/// A model by its name or one of its aliases, ignoring case (NVML names and short names alike).
pub fn resolve(conn: &Connection, name_or_alias: &str) -> Result<Option<GpuModel>> {
    match resolve_id(conn, name_or_alias)? {
        Some(id) => get_by_id(conn, id),
        None => Ok(None),
    }
}

/// The id of the model a name or alias names, the name first: two index lookups, where the
/// whole model also counts its devices (a collect registering a fleet's GPUs asks per GPU).
pub fn resolve_id(conn: &Connection, name_or_alias: &str) -> Result<Option<i64>> {
    let by_name = conn
        .prepare_cached("SELECT id FROM gpu_models WHERE name = ?1")?
        .query_row([name_or_alias], |r| r.get(0))
        .optional()?;
    if by_name.is_some() {
        return Ok(by_name);
    }
    Ok(conn
        .prepare_cached("SELECT model_id FROM gpu_model_aliases WHERE alias = ?1")?
        .query_row([name_or_alias], |r| r.get(0))
        .optional()?)
}

pub fn get_by_id(conn: &Connection, id: i64) -> Result<Option<GpuModel>> {
    let sql = format!("SELECT {MODEL_COLUMNS} FROM gpu_models m WHERE m.id = ?1");
    Ok(conn
        .prepare_cached(&sql)?
        .query_row([id], model_from_row)
        .optional()?)
}

/// Inserts a model and its aliases; returns its id. The caller has checked names are free.
pub fn insert(conn: &Connection, model: &GpuModel) -> Result<i64> {
    conn.prepare_cached(
        "INSERT INTO gpu_models (name, architecture, memory_mib, tdp_w, mig_capable, mig_profiles,
                                 hourly_cost, builtin, created_at, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
    )?
    .execute(params![
        model.name,
        model.architecture,
        model.memory_mib,
        model.tdp_w,
        model.mig_capable,
        serde_json::to_string(&model.mig_profiles)?,
        model.hourly_cost,
        model.builtin,
        model.created_at,
        model.updated_at,
    ])?;
    let id = conn.last_insert_rowid();
    set_aliases(conn, id, &model.aliases)?;
    Ok(id)
}

/// Writes every field of `model` (found by id), aliases included.
pub fn update(conn: &Connection, model: &GpuModel) -> Result<()> {
    conn.prepare_cached(
        "UPDATE gpu_models SET architecture = ?2, memory_mib = ?3, tdp_w = ?4, hourly_cost = ?5,
                               updated_at = ?6
         WHERE id = ?1",
    )?
    .execute(params![
        model.id,
        model.architecture,
        model.memory_mib,
        model.tdp_w,
        model.hourly_cost,
        model.updated_at,
    ])?;
    set_aliases(conn, model.id, &model.aliases)
}

fn set_aliases(conn: &Connection, model_id: i64, aliases: &[String]) -> Result<()> {
    conn.prepare_cached("DELETE FROM gpu_model_aliases WHERE model_id = ?1")?
        .execute([model_id])?;
    let mut stmt =
        conn.prepare_cached("INSERT INTO gpu_model_aliases (alias, model_id) VALUES (?1, ?2)")?;
    for alias in aliases {
        stmt.execute(params![alias, model_id])?;
    }
    Ok(())
}

/// Whether a name is taken as a model name or alias by a model other than `except`.
pub fn name_taken(conn: &Connection, name: &str, except: Option<i64>) -> Result<Option<String>> {
    Ok(conn
        .prepare_cached(
            "SELECT m.name FROM gpu_models m
             WHERE (m.name = ?1 OR m.id IN (SELECT model_id FROM gpu_model_aliases WHERE alias = ?1))
               AND m.id <> ?2
             LIMIT 1",
        )?
        .query_row(params![name, except.unwrap_or(-1)], |r| r.get(0))
        .optional()?)
}

pub fn delete(conn: &Connection, model_id: i64) -> Result<()> {
    conn.prepare_cached("DELETE FROM gpu_models WHERE id = ?1")?
        .execute([model_id])?;
    Ok(())
}
