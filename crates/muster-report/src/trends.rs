//! Trends over drills: score, coverage, time to contain and plan closure, in drill date order.
//!
//! HTML charts are inline SVG line charts in the report's style (gaps where a drill has no value); the
//! Markdown is a table. Zero drills give a sentence, one drill a single point.

use std::fmt::Write as _;

use crate::TrendPoint;
use crate::html::{head, w};
use crate::text::{date, dur, html as h, md, pct};

/// The points in drill date order (creation time, then id), so every renderer agrees.
pub fn sorted(points: &[TrendPoint]) -> Vec<TrendPoint> {
    let mut v = points.to_vec();
    v.sort_by(|a, b| a.created_wall_ms.cmp(&b.created_wall_ms).then_with(|| a.drill_id.cmp(&b.drill_id)));
    v
}

fn closure(p: &TrendPoint) -> Option<f64> {
    (p.plan_items > 0).then(|| f64::from(p.plan_done.min(p.plan_items)) / f64::from(p.plan_items))
}

fn closure_text(p: &TrendPoint) -> String {
    match closure(p) {
        Some(c) => format!("{} of {} ({})", p.plan_done, p.plan_items, pct(c)),
        None => "no items".to_owned(),
    }
}

/// A sentence on the first and the latest drill.
fn headline(points: &[TrendPoint]) -> String {
    match points {
        [] => "No drill to chart yet: run a drill and its figures will appear here.".to_owned(),
        [one] => format!(
            "One drill so far ({}): score {}/100, coverage {}. Trends appear from the second drill on.",
            date(one.created_wall_ms),
            one.score,
            pct(one.coverage)
        ),
        [first, .., last] => format!(
            "{} drills from {} to {}: score {} → {}, coverage {} → {}.",
            points.len(),
            date(first.created_wall_ms),
            date(last.created_wall_ms),
            first.score,
            last.score,
            pct(first.coverage),
            pct(last.coverage)
        ),
    }
}

pub fn html(title: &str, points: &[TrendPoint]) -> String {
    let mut out = String::with_capacity(16 * 1024 + points.len() * 1024);
    head(&mut out, title);
    w!(
        out,
        "<header class=\"doc\">\n<p class=\"kicker\">Drill trends</p>\n<h1>{}</h1>\n<p class=\"sub\">{}</p>\n</header>\n<main>\n",
        h(title),
        h(&headline(points))
    );
    if !points.is_empty() {
        out.push_str("<section id=\"charts\">\n<h2>Charts</h2>\n");
        let dates: Vec<String> = points.iter().map(|p| date(p.created_wall_ms)).collect();
        let label = |p: &TrendPoint, what: String| {
            format!("{} · drill {}: {what}", date(p.created_wall_ms), p.drill_id)
        };
        let score: Vec<Option<f64>> = points.iter().map(|p| Some(f64::from(p.score.min(100)))).collect();
        let tips: Vec<String> = points.iter().map(|p| label(p, format!("score {}/100", p.score))).collect();
        chart(
            &mut out,
            "score",
            "Score (0–100)",
            &score,
            &dates,
            &tips,
            Axis::Fixed(100.0, |v| format!("{v:.0}")),
        );
        let cov: Vec<Option<f64>> = points.iter().map(|p| Some(p.coverage.clamp(0.0, 1.0))).collect();
        let tips: Vec<String> =
            points.iter().map(|p| label(p, format!("coverage {}", pct(p.coverage)))).collect();
        chart(&mut out, "coverage", "Coverage", &cov, &dates, &tips, Axis::Fixed(1.0, pct));
        let ttc: Vec<Option<f64>> =
            points.iter().map(|p| p.time_to_contain_ms.map(|ms| ms as f64 / 60_000.0)).collect();
        let tips: Vec<String> = points
            .iter()
            .map(|p| {
                label(
                    p,
                    p.time_to_contain_ms
                        .map_or_else(|| "not contained".to_owned(), |ms| format!("contained in {}", dur(ms))),
                )
            })
            .collect();
        chart(
            &mut out,
            "contain",
            "Time to contain (minutes of scenario time; gaps: not contained)",
            &ttc,
            &dates,
            &tips,
            Axis::Minutes,
        );
        let clo: Vec<Option<f64>> = points.iter().map(closure).collect();
        let tips: Vec<String> =
            points.iter().map(|p| label(p, format!("plan closure {}", closure_text(p)))).collect();
        chart(
            &mut out,
            "closure",
            "Improvement-plan closure (items done; gaps: no plan)",
            &clo,
            &dates,
            &tips,
            Axis::Fixed(1.0, pct),
        );
        out.push_str("</section>\n<section id=\"drills\">\n<h2>Drills</h2>\n<table>\n<thead><tr><th>Date (UTC)</th>\
            <th>Drill</th><th>Scenario</th><th>Team</th><th class=\"num\">Score</th><th class=\"num\">Coverage</th>\
            <th class=\"num\">Time to contain</th><th class=\"num\">Plan closure</th></tr></thead>\n<tbody>\n");
        for p in points {
            w!(
                out,
                "<tr><td class=\"nowrap\">{}</td><td>{}</td><td>{}</td><td>{}</td><td class=\"num\">{}</td>\
                 <td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td></tr>\n",
                date(p.created_wall_ms),
                h(&p.drill_id),
                h(&p.scenario_id),
                h(p.team.as_deref().unwrap_or("—")),
                p.score,
                pct(p.coverage),
                p.time_to_contain_ms.map_or_else(|| "—".to_owned(), dur),
                closure_text(p)
            );
        }
        out.push_str("</tbody>\n</table>\n</section>\n");
    }
    out.push_str("</main>\n<footer>Generated by Muster. Times to contain are scenario time.</footer>\n</body>\n</html>\n");
    out
}

enum Axis {
    /// 0 to this, labelled with the function.
    Fixed(f64, fn(f64) -> String),
    /// 0 to the largest value rounded up to a round number of minutes.
    Minutes,
}

fn chart(
    out: &mut String,
    id: &str,
    title: &str,
    values: &[Option<f64>],
    dates: &[String],
    tips: &[String],
    axis: Axis,
) {
    const W: f64 = 1000.0;
    const H: f64 = 230.0;
    const LEFT: f64 = 64.0;
    const RIGHT: f64 = 48.0;
    const TOP: f64 = 14.0;
    const BOTTOM: f64 = 40.0;
    w!(out, "<figure id=\"chart-{id}\">\n<h3>{}</h3>\n", h(title));
    if values.iter().all(Option::is_none) {
        out.push_str("<p class=\"muted\">No drill has a value for this yet.</p>\n</figure>\n");
        return;
    }
    let (y_max, fmt): (f64, Box<dyn Fn(f64) -> String>) = match axis {
        Axis::Fixed(max, f) => (max, Box::new(f)),
        Axis::Minutes => {
            // Four gridlines on round minutes: the step is the first round number covering a quarter.
            let max_min = values.iter().flatten().fold(0.0f64, |a, &b| a.max(b));
            let step = [1.0, 2.0, 5.0, 10.0, 15.0, 20.0, 30.0, 60.0, 120.0, 240.0, 480.0, 1440.0]
                .into_iter()
                .find(|s| s * 4.0 >= max_min)
                .unwrap_or(1440.0);
            (step * 4.0, Box::new(|v: f64| format!("{v:.0} min")))
        }
    };
    let n = values.len();
    let plot_w = W - LEFT - RIGHT;
    let plot_h = H - TOP - BOTTOM;
    let x = |i: usize| if n <= 1 { LEFT + plot_w / 2.0 } else { LEFT + plot_w * i as f64 / (n - 1) as f64 };
    let y = |v: f64| TOP + plot_h * (1.0 - (v / y_max).clamp(0.0, 1.0));
    w!(out, "<svg class=\"chart\" viewBox=\"0 0 {W} {H}\" role=\"img\" aria-label=\"{}\">\n", h(title));
    for k in 0..=4 {
        let v = y_max * f64::from(k) / 4.0;
        let yy = y(v);
        w!(
            out,
            "<line class=\"grid\" x1=\"{LEFT}\" y1=\"{yy:.1}\" x2=\"{:.1}\" y2=\"{yy:.1}\"/><text x=\"{:.1}\" y=\"{:.1}\" \
             text-anchor=\"end\">{}</text>\n",
            W - RIGHT,
            LEFT - 6.0,
            yy + 4.0,
            h(&fmt(v))
        );
    }
    let every = n.div_ceil(8).max(1);
    for (i, d) in dates.iter().enumerate() {
        if i % every == 0 || i + 1 == n {
            w!(
                out,
                "<text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"middle\">{}</text>\n",
                x(i),
                H - BOTTOM + 18.0,
                h(d)
            );
        }
    }
    // Lines over runs of drills that have a value; a missing value breaks the line.
    let mut run: Vec<(f64, f64)> = Vec::new();
    let flush = |run: &mut Vec<(f64, f64)>, out: &mut String| {
        if run.len() > 1 {
            let pts: Vec<String> = run.iter().map(|(a, b)| format!("{a:.1},{b:.1}")).collect();
            w!(out, "<polyline class=\"series\" points=\"{}\"/>\n", pts.join(" "));
        }
        run.clear();
    };
    for (i, v) in values.iter().enumerate() {
        match v {
            Some(v) => run.push((x(i), y(*v))),
            None => flush(&mut run, out),
        }
    }
    flush(&mut run, out);
    for (i, v) in values.iter().enumerate() {
        if let Some(v) = v {
            w!(
                out,
                "<g><title>{}</title><circle class=\"pt\" cx=\"{:.1}\" cy=\"{:.1}\" r=\"4\"/></g>\n",
                h(&tips[i]),
                x(i),
                y(*v)
            );
        }
    }
    out.push_str("</svg>\n</figure>\n");
}

pub fn markdown(title: &str, points: &[TrendPoint]) -> String {
    let mut out = String::new();
    w!(out, "# {}\n\n{}\n", md(title), md(&headline(points)));
    if points.is_empty() {
        return out;
    }
    out.push_str(
        "\n| Date (UTC) | Drill | Scenario | Team | Score | Coverage | Time to contain | Plan closure |\n\
         | --- | --- | --- | --- | ---: | ---: | ---: | ---: |\n",
    );
    for p in points {
        w!(
            out,
            "| {} | {} | {} | {} | {} | {} | {} | {} |\n",
            date(p.created_wall_ms),
            md(&p.drill_id),
            md(&p.scenario_id),
            p.team.as_deref().map_or_else(|| "—".to_owned(), md),
            p.score,
            pct(p.coverage),
            p.time_to_contain_ms.map_or_else(|| "—".to_owned(), dur),
            closure_text(p)
        );
    }
    out
}
