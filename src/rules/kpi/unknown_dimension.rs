use crate::diagnostics::did_you_mean;
use crate::ir::Plan;
use crate::rules::{Container, DefaultLevel, Finding, Rule, RuleDoc};

pub(crate) static DOC: RuleDoc = RuleDoc {
    name: "kpi/unknown-dimension",
    default: DefaultLevel::Error,
    summary: "Every `dimensions` entry of a KPI is a property of at least one of the KPI's events.",
    why: "A KPI sliced by a property no event carries cannot be computed; the dashboard will be empty and nobody will know why until the review.",
    bad: "kpi \"Conversion\" {\n  events     \"Order Completed\"\n  dimensions country\n}",
    good: "kpi \"Conversion\" {\n  events     \"Order Completed\"\n  dimensions currency   // a property of \"Order Completed\"\n}",
};

pub(crate) struct UnknownDimension;

impl Rule for UnknownDimension {
    fn doc(&self) -> &'static RuleDoc {
        &DOC
    }

    fn check(&self, plan: &Plan, out: &mut Vec<Finding>) {
        for (i, k) in plan.kpis.iter().enumerate() {
            let events: Vec<_> = k
                .events
                .iter()
                .filter_map(|r| r.target)
                .filter_map(|t| plan.events.get(t))
                .collect();
            if events.len() != k.events.len() {
                continue;
            }
            for d in &k.dimensions {
                if events.iter().any(|e| e.property(&d.value).is_some()) {
                    continue;
                }
                let names: Vec<&str> = events
                    .iter()
                    .flat_map(|e| e.properties.iter().map(|p| &*p.name.value))
                    .collect();
                let help = did_you_mean(&d.value, names.iter().copied(), |c| c.to_string())
                    .unwrap_or_else(|| {
                        "add the property to one of the KPI's events, or remove the dimension"
                            .to_string()
                    });
                out.push(
                    Finding::new(
                        Container::Kpi(i),
                        format!(
                            "dimension `{}` of KPI \"{}\" is not a property of any of its events",
                            d.value, k.name.value
                        ),
                        d.span,
                        "no event carries it",
                    )
                    .help(help),
                );
            }
        }
    }
}
