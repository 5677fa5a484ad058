//! Every rule pitfall has, and the per-kind dispatch table built from a selection.

use crate::ast::NodeKind;
use crate::rule::{Rule, RuleMeta};
use crate::rules;

/// All rules, in code order. Adding a rule means adding one line here.
pub static RULES: &[&dyn Rule] = &[
    &rules::syntax_error::SyntaxError,
    &rules::none_comparison::NoneComparison,
    &rules::bool_comparison::BoolComparison,
    &rules::is_literal::IsLiteral,
    &rules::type_comparison::TypeComparison,
    &rules::unhashable_literal_key::UnhashableLiteralKey,
    &rules::python2_leftover::Python2Leftover,
    &rules::shallow_copy_grid::ShallowCopyGrid,
    &rules::modify_while_iterating::ModifyWhileIterating,
    &rules::list_pop_front::ListPopFront,
    &rules::list_membership_in_loop::ListMembershipInLoop,
    &rules::string_concat_in_loop::StringConcatInLoop,
    &rules::list_comprehension_in_reducer::ListComprehensionInReducer,
    &rules::mutable_default_arg::MutableDefaultArg,
    &rules::late_binding_closure::LateBindingClosure,
    &rules::call_in_default_arg::CallInDefaultArg,
    &rules::lambda_assignment::LambdaAssignment,
    &rules::missing_functools_wraps::MissingFunctoolsWraps,
    &rules::unbound_local::UnboundLocal,
    &rules::truthy_none_trap::TruthyNoneTrap,
    &rules::mutable_class_attr::MutableClassAttr,
    &rules::eq_without_hash::EqWithoutHash,
    &rules::init_returns_value::InitReturnsValue,
    &rules::wrong_first_arg::WrongFirstArg,
    &rules::slots_class_var_conflict::SlotsClassVarConflict,
    &rules::inconsistent_mro::InconsistentMro,
    &rules::super_init_not_called::SuperInitNotCalled,
    &rules::lru_cache_on_method::LruCacheOnMethod,
    &rules::staticmethod_constructor::StaticmethodConstructor,
    &rules::class_attr_from_method::ClassAttrFromMethod,
    &rules::reused_generator::ReusedGenerator,
    &rules::open_without_with::OpenWithoutWith,
    &rules::blocking_call_in_async::BlockingCallInAsync,
    &rules::unawaited_coroutine::UnawaitedCoroutine,
    &rules::bare_except::BareExcept,
    &rules::swallowed_exception::SwallowedException,
    &rules::assert_for_validation::AssertForValidation,
    &rules::raise_without_from::RaiseWithoutFrom,
    &rules::return_in_finally::ReturnInFinally,
    &rules::exception_inherits_baseexception::ExceptionInheritsBaseexception,
    &rules::circular_import::CircularImport,
    &rules::patch_target_mismatch::PatchTargetMismatch,
    &rules::unused_noqa::UnusedNoqa,
];

/// Finds a rule by code or name, ignoring case.
pub fn find(selector: &str) -> Option<&'static dyn Rule> {
    RULES
        .iter()
        .copied()
        .find(|rule| rule.meta().is_named(selector))
}

/// The rule name or code closest to a misspelt `selector`, if one is close enough.
pub fn suggest(selector: &str) -> Option<&'static str> {
    let selector = selector.to_ascii_lowercase();
    all_meta()
        .flat_map(|meta| [meta.name, meta.code])
        .map(|candidate| {
            (
                edit_distance(&selector, &candidate.to_ascii_lowercase()),
                candidate,
            )
        })
        .filter(|(distance, candidate)| *distance <= candidate.len() / 3 + 1)
        .min()
        .map(|(_, candidate)| candidate)
}

fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut diagonal = row[0];
        row[0] = i + 1;
        for (j, &cb) in b.iter().enumerate() {
            let substitution = diagonal + usize::from(ca != cb);
            diagonal = row[j + 1];
            row[j + 1] = substitution.min(row[j] + 1).min(row[j + 1] + 1);
        }
    }
    row[b.len()]
}

pub fn all_meta() -> impl Iterator<Item = &'static RuleMeta> {
    RULES.iter().map(|rule| rule.meta())
}

/// More than the number of `NodeKind` variants, so every kind indexes the table.
const KIND_SLOTS: usize = 128;

/// The selected rules, bucketed by the node kinds they asked for, so that each node
/// reaches only the rules interested in it.
#[derive(Clone)]
pub struct Dispatch {
    by_kind: Vec<Vec<&'static dyn Rule>>,
    /// Bit `n` is set when rule `PFn` is selected: rules and the walker ask for every
    /// file, so the answer is one lookup, not a search through the codes.
    enabled: [u64; CODE_WORDS],
}

/// Codes run from PF000 to PF999.
const CODE_WORDS: usize = 1000_usize.div_ceil(64);

/// The number in a rule's code (`PF204` is 204); codes are checked to be `PF` and
/// three digits by the registry's tests.
fn code_number(code: &str) -> usize {
    code.bytes()
        .skip(2)
        .fold(0, |n, digit| n * 10 + usize::from(digit.wrapping_sub(b'0')))
        % 1000
}

impl Dispatch {
    pub fn new(selected: &[&'static dyn Rule]) -> Self {
        let mut by_kind = vec![Vec::new(); KIND_SLOTS];
        for &rule in selected {
            for &kind in rule.kinds() {
                by_kind[kind_index(kind)].push(rule);
            }
        }
        let mut enabled = [0; CODE_WORDS];
        for rule in selected {
            let number = code_number(rule.meta().code);
            enabled[number / 64] |= 1 << (number % 64);
        }
        Dispatch { by_kind, enabled }
    }

    pub fn all() -> Self {
        Dispatch::new(RULES)
    }

    #[inline]
    pub fn rules_for(&self, kind: NodeKind) -> &[&'static dyn Rule] {
        &self.by_kind[kind_index(kind)]
    }

    #[inline]
    pub fn is_enabled(&self, rule: &RuleMeta) -> bool {
        let number = code_number(rule.code);
        self.enabled[number / 64] & (1 << (number % 64)) != 0
    }
}

#[inline]
fn kind_index(kind: NodeKind) -> usize {
    kind as usize
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn codes_and_names_are_unique_and_well_formed() {
        let mut codes = HashSet::new();
        let mut names = HashSet::new();
        for meta in all_meta() {
            assert!(codes.insert(meta.code), "duplicate code {}", meta.code);
            assert!(names.insert(meta.name), "duplicate name {}", meta.name);
            assert!(
                meta.code.starts_with(meta.topic.code_prefix()),
                "{} is not in its topic",
                meta.code
            );
            assert!(meta.code.len() == 5 && meta.code[2..].bytes().all(|b| b.is_ascii_digit()));
            assert!(
                meta.name
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-'),
                "{}",
                meta.name
            );
            assert!(
                !meta.summary.ends_with('.') && !meta.summary.is_empty(),
                "{}",
                meta.name
            );
        }
    }

    #[test]
    fn rules_are_listed_in_code_order() {
        let codes: Vec<_> = all_meta().map(|m| m.code).collect();
        let mut sorted = codes.clone();
        sorted.sort();
        assert_eq!(codes, sorted);
    }

    #[test]
    fn every_node_kind_fits_the_table() {
        // The last variant of `NodeKind`; if the parser adds kinds, this still holds
        // only while the table is large enough.
        assert!(kind_index(NodeKind::Identifier) < KIND_SLOTS);
    }

    #[test]
    fn find_by_code_or_name() {
        assert_eq!(find("pf301").unwrap().meta().name, "mutable-default-arg");
        assert_eq!(find("Mutable-Default-Arg").unwrap().meta().code, "PF301");
        assert!(find("PF999").is_none());
    }
}
