use crate::ir::{DeclKind, Plan};
use crate::rules::{Container, DefaultLevel, Finding, Rule, RuleDoc};

pub(crate) static DOC: RuleDoc = RuleDoc {
    name: "unused/declaration",
    default: DefaultLevel::Warn,
    summary: "Every owner, consent purpose, retention policy, source, enum and bundle is referenced somewhere (the plan block's references count).",
    why: "An unused declaration is either dead weight or, worse, a sign that something meant to use it does not: a consent purpose nobody points at protects nothing.",
    bad: "consent marketing { basis consent }   // nothing refers to it",
    good: "consent marketing { basis consent }\nidentify { email: string pii(contact) consent(marketing) }",
};

pub(crate) struct Declaration;

const KINDS: [DeclKind; 6] = [
    DeclKind::Owner,
    DeclKind::Consent,
    DeclKind::Retention,
    DeclKind::Source,
    DeclKind::Enum,
    DeclKind::Bundle,
];

impl Rule for Declaration {
    fn doc(&self) -> &'static RuleDoc {
        &DOC
    }

    fn check(&self, plan: &Plan, out: &mut Vec<Finding>) {
        for kind in KINDS {
            let mut used = vec![false; count(plan, kind)];
            for r in plan.refs.iter().filter(|r| r.kind == kind) {
                if let Some(u) = used.get_mut(r.target) {
                    *u = true;
                }
            }
            for (i, u) in used.iter().enumerate() {
                if *u {
                    continue;
                }
                let (Some(name), Some(span)) =
                    (plan.decl_name(kind, i), plan.decl_name_span(kind, i))
                else {
                    continue;
                };
                out.push(
                    Finding::new(
                        Container::Declaration,
                        format!("{} `{}` is never used", kind.noun(), kind.render(name)),
                        span,
                        "declared but not referenced",
                    )
                    .help("reference it where it applies, or remove it"),
                );
            }
        }
    }
}

fn count(plan: &Plan, kind: DeclKind) -> usize {
    match kind {
        DeclKind::Owner => plan.owners.len(),
        DeclKind::Consent => plan.consents.len(),
        DeclKind::Retention => plan.retentions.len(),
        DeclKind::Source => plan.sources.len(),
        DeclKind::Enum => plan.enums.len(),
        DeclKind::Bundle => plan.bundles.len(),
        _ => 0,
    }
}
