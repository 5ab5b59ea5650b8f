//! Lowering of `example` items: pest pairs → [`ExampleDecl`].
//!
//! Like the rest of lowering, it trusts the grammar's shapes but turns any
//! surprise into a located error.

use pest::iterators::Pair;

use super::{Lowerer, Result, Rule};
use crate::syntax::ast::{ExampleDecl, ExampleEntry, ExampleValue};

impl Lowerer {
    pub(super) fn example_decl(&self, pair: Pair<'_, Rule>) -> Result<ExampleDecl> {
        let span = self.span(&pair);
        let mut inner = pair.into_inner();
        let name = self.ident(self.next(&mut inner, span, "example name")?);
        let mut example = ExampleDecl { name, label: None, on: None, profile: Vec::new(), expect: Vec::new(), span };
        for part in inner {
            match part.as_rule() {
                Rule::label => example.label = Some(self.text(part)?),
                Rule::example_date => {
                    example.on = Some(self.literal(self.next(&mut part.into_inner(), span, "date")?)?);
                }
                Rule::example_profile => example.profile = self.example_entries(part)?,
                Rule::example_expect => example.expect = self.example_entries(part)?,
                _ => return Err(self.unexpected(&part)),
            }
        }
        Ok(example)
    }

    fn example_entries(&self, block: Pair<'_, Rule>) -> Result<Vec<ExampleEntry>> {
        block
            .into_inner()
            .map(|entry| {
                let span = self.span(&entry);
                let mut parts = entry.into_inner();
                let path = self.next(&mut parts, span, "path")?.into_inner().map(|step| self.ident(step)).collect();
                let value = self.next(&mut parts, span, "value")?;
                let value = match value.as_rule() {
                    Rule::hole => ExampleValue::Nothing(self.span(&value)),
                    Rule::example_list => ExampleValue::Conditions {
                        span: self.span(&value),
                        names: value.into_inner().map(|name| self.ident(name)).collect(),
                    },
                    _ => ExampleValue::Literal(self.literal(value)?),
                };
                Ok(ExampleEntry { path, value, span })
            })
            .collect()
    }
}
