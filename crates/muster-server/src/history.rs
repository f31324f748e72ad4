//! The HTTP side of the drill history: reports, plans, exports and trends over `muster_app::drills`.

use axum::body::Body;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use muster_protocol::views;
use muster_protocol::{
    CapabilityRef, DrillList, DrillSummary, ExportRequest, ExportResult, PlanUpdate, PlanView, RoleRef,
};
use muster_store::{DrillId, Store, StoreError};
use serde::Deserialize;

use crate::{ApiResult, AppState, Failure};
use muster_app::drills::{DrillReport, ReportError, check_plan, export_name, load, loaded, trends};

/// The report page's own policy: no script at all, inline styles only, framable by the app alone.
pub const REPORT_CSP: &str =
    "default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'self'; sandbox";

fn store(state: &AppState) -> ApiResult<&Store> {
    state.store.as_ref().ok_or_else(|| {
        Failure::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "no-store",
            "this server was started without a drill log",
        )
    })
}

/// A drill id from the path: letters and digits only (ids are base 32), else it cannot exist.
fn drill_id(id: &str) -> ApiResult<DrillId> {
    if id.is_empty() || id.len() > 40 || !id.chars().all(|c| c.is_ascii_alphanumeric()) {
        return Err(not_found(id));
    }
    Ok(DrillId(id.to_owned()))
}

fn not_found(id: &str) -> Failure {
    let shown: String = id.chars().filter(|c| !c.is_control()).take(40).collect();
    Failure::new(StatusCode::NOT_FOUND, "not-found", format!("no drill `{shown}` in the log"))
}

fn failure(id: &DrillId, e: ReportError) -> Failure {
    match e {
        ReportError::Store(StoreError::NotFound(_)) => not_found(&id.0),
        ReportError::Unreadable { .. } => {
            Failure::new(StatusCode::UNPROCESSABLE_ENTITY, "unreadable", e.to_string())
        }
        ReportError::Store(e) => Failure::internal(e),
    }
}

async fn report_of(state: &AppState, id: &str) -> ApiResult<DrillReport> {
    let id = drill_id(id)?;
    load(store(state)?, &id).await.map_err(|e| failure(&id, e))
}

pub(crate) async fn list(State(state): State<AppState>) -> ApiResult<axum::Json<DrillList>> {
    let Some(store) = state.store.as_ref() else {
        return Ok(axum::Json(DrillList { drills: Vec::new(), store: None }));
    };
    let records = store.drills().await.map_err(Failure::internal)?;
    let mut drills = Vec::with_capacity(records.len());
    for r in records {
        // Listings carry no texts; the title comes from the full record (small: one row).
        let title = match store.drill(&r.id).await.ok().and_then(|full| loaded(&full).ok()) {
            Some((scenario, _)) => scenario.title,
            None => r.scenario_id.clone(),
        };
        drills.push(DrillSummary {
            id: r.id.0.clone(),
            scenario_id: r.scenario_id.clone(),
            scenario_title: title,
            scenario_version: r.scenario_version.clone(),
            team: r.team.clone(),
            facilitator: r.facilitator.clone(),
            created_wall_ms: r.created_wall_ms,
            state: muster_app::drills::state_name(r.state).to_owned(),
            n_events: r.n_events,
        });
    }
    Ok(axum::Json(DrillList { drills, store: state.store_label.as_ref().map(|s| s.to_string()) }))
}

fn plan_view(report: &DrillReport) -> PlanView {
    PlanView {
        drill: report.record.id.0.clone(),
        saved: report.plan_saved,
        items: report.plan.iter().map(views::plan_item).collect(),
        roles: report
            .model
            .roles
            .iter()
            .map(|r| RoleRef { id: r.id.0.clone(), name: r.name.clone() })
            .collect(),
        capabilities: report
            .model
            .capabilities
            .iter()
            .map(|c| CapabilityRef { id: c.id.0.clone(), name: c.name.clone() })
            .collect(),
    }
}

pub(crate) async fn plan(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> ApiResult<axum::Json<PlanView>> {
    Ok(axum::Json(plan_view(&report_of(&state, &id).await?)))
}

pub(crate) async fn save_plan(
    State(state): State<AppState>,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> ApiResult<axum::Json<PlanView>> {
    let update: PlanUpdate = crate::json_body(&headers, &body, "{\"items\": [...]}")?;
    let mut report = report_of(&state, &id).await?;
    let items: Vec<_> = update.items.iter().map(views::plan_item_from).collect();
    check_plan(&items, &report.model)
        .map_err(|m| Failure::new(StatusCode::UNPROCESSABLE_ENTITY, "invalid", m))?;
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX));
    let store = store(&state)?;
    store
        .save_plan(&report.record.id, &items, now)
        .await
        .map_err(|e| failure(&report.record.id, e.into()))?;
    report.plan = items;
    report.plan_saved = true;
    Ok(axum::Json(plan_view(&report)))
}

/// A report format: its extension and content type.
fn format(name: &str) -> ApiResult<(&'static str, &'static str)> {
    match name {
        "html" => Ok(("html", "text/html; charset=utf-8")),
        "md" | "markdown" => Ok(("md", "text/markdown; charset=utf-8")),
        "json" => Ok(("json", "application/json")),
        "csv" => Ok(("csv", "text/csv; charset=utf-8")),
        other => {
            let shown: String = other.chars().filter(|c| c.is_ascii_alphanumeric()).take(20).collect();
            Err(Failure::new(
                StatusCode::NOT_FOUND,
                "not-found",
                format!("no report format `{shown}`: use html, md, json or csv"),
            ))
        }
    }
}

#[derive(Deserialize)]
pub(crate) struct Download {
    download: Option<String>,
}

pub(crate) async fn report(
    State(state): State<AppState>,
    Path((id, fmt)): Path<(String, String)>,
    Query(q): Query<Download>,
) -> ApiResult<Response> {
    let (ext, mime) = format(&fmt)?;
    let report = report_of(&state, &id).await?;
    let body = tokio::task::spawn_blocking({
        let ext = ext.to_owned();
        move || (report.render(&ext), export_name(&report.record, &ext))
    })
    .await
    .map_err(Failure::internal)?;
    let (text, name) = body;
    let mut res = Response::new(Body::from(text));
    let h = res.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(mime));
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    if ext == "html" {
        h.insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(REPORT_CSP));
        h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("SAMEORIGIN"));
    }
    if q.download.is_some() {
        // The name is built from ids that are letters, digits, `-` and `_` only.
        if let Ok(v) = HeaderValue::from_str(&format!("attachment; filename=\"{name}\"")) {
            h.insert(header::CONTENT_DISPOSITION, v);
        }
    }
    Ok(res)
}

pub(crate) async fn export(
    State(state): State<AppState>,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> ApiResult<axum::Json<ExportResult>> {
    let req: ExportRequest = crate::json_body(&headers, &body, "{\"format\": \"html\"}")?;
    let (ext, _) = format(&req.format)?;
    let dir = state.export_dir.clone().ok_or_else(|| {
        Failure::new(StatusCode::SERVICE_UNAVAILABLE, "no-export-dir", "this server has no export folder")
    })?;
    let report = report_of(&state, &id).await?;
    let ext = ext.to_owned();
    let path = tokio::task::spawn_blocking(move || {
        let path = dir.join(export_name(&report.record, &ext));
        std::fs::create_dir_all(&dir).and_then(|()| std::fs::write(&path, report.render(&ext))).map(|()| path)
    })
    .await
    .map_err(Failure::internal)?
    .map_err(|e| {
        Failure::new(StatusCode::INTERNAL_SERVER_ERROR, "io", format!("cannot write the export: {e}"))
    })?;
    Ok(axum::Json(ExportResult { path: path.display().to_string() }))
}

#[derive(Deserialize)]
pub(crate) struct TrendQuery {
    scenario: Option<String>,
    team: Option<String>,
    format: Option<String>,
}

pub(crate) async fn trend(State(state): State<AppState>, Query(q): Query<TrendQuery>) -> ApiResult<Response> {
    let points =
        trends(store(&state)?, q.scenario.as_deref(), q.team.as_deref()).await.map_err(Failure::internal)?;
    let title = muster_app::drills::trends_title(q.scenario.as_deref(), q.team.as_deref());
    let html = q.format.as_deref() == Some("html");
    let text =
        if html { muster_report::trends_html(&title, &points) } else { muster_report::trends_json(&points) };
    let mut res = Response::new(Body::from(text));
    let h = res.headers_mut();
    if html {
        h.insert(header::CONTENT_TYPE, HeaderValue::from_static("text/html; charset=utf-8"));
        h.insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(REPORT_CSP));
        h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("SAMEORIGIN"));
    } else {
        h.insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
    }
    Ok(res.into_response())
}
