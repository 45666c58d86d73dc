use crate::ir::Plan;
use crate::rules::names::{convert_case, property_ok};
use crate::rules::{DefaultLevel, Finding, Rule, RuleDoc, for_each_declared};

pub(crate) static DOC: RuleDoc = RuleDoc {
    name: "naming/property-case",
    default: DefaultLevel::Error,
    summary: "Property names follow the plan's `naming.properties` style (default `snake_case`).",
    why: "Mixed styles (`orderId` next to `order_id`) create duplicate warehouse columns and break joins; destinations that lowercase names make them collide.",
    bad: "orderId: string required",
    good: "order_id: string required",
};

pub(crate) struct PropertyCase;

impl Rule for PropertyCase {
    fn doc(&self) -> &'static RuleDoc {
        &DOC
    }

    fn check(&self, plan: &Plan, out: &mut Vec<Finding>) {
        let style = plan.meta.naming.properties;
        for_each_declared(plan, &mut |at| {
            let c = at.container;
            if c == crate::rules::Container::Traits(crate::ir::TraitsKind::Envelope) {
                // The envelope's fields are Segment's names (`userId`, `context.userAgent`).
                return;
            }
            let name = &at.property.name.value;
            if property_ok(name, style) {
                return;
            }
            let fixed = convert_case(name, style.as_str());
            out.push(
                Finding::new(
                    c,
                    format!("property name `{name}` is not `{style}`"),
                    at.property.name.span,
                    format!("not `{style}`"),
                )
                .on_property(at.path.to_vec())
                .help(format!(
                    "rename it `{fixed}`, or keep it with `allow(\"{}\", reason \"…\")`",
                    DOC.name
                )),
            );
        });
    }
}
