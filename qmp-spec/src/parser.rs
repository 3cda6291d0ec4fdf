//! Text -> pest pairs, and pest's own errors -> [`Diagnostic`]s.
//!
//! The grammar is in `grammar.pest`. A pest error names the rules it tried at the furthest
//! position it reached; [`describe`] turns each into words a document author understands.

use crate::diagnostic::{Diagnostic, Severity};
use crate::source::Source;
use pest::Parser as _;
use pest::error::{Error, ErrorVariant, InputLocation};
use pest::iterators::Pair;

#[derive(pest_derive::Parser)]
#[grammar = "grammar.pest"]
pub(crate) struct SpecParser;

/// Parses the document a part at a time: the `head` (its title), then each `section`, handing
/// each pair to `each` while the source's base is where that part starts (so that pest's tokens
/// for one section are all that is held at once). Afterwards the base is back at 0.
///
/// Taking `section` while it matches and then the end is what `document` does, so this
/// accepts exactly what `document` accepts; when it fails, `document` is parsed whole for
/// pest's own error, the one a whole parse gives.
pub(crate) fn parse<'a>(
    source: &Source<'a>,
    mut each: impl FnMut(Pair<'a, Rule>),
) -> Result<(), Box<Diagnostic>> {
    source.set_base(0);
    let result = parse_parts(source, &mut each);
    source.set_base(0);
    result.map_err(|()| whole_document_error(source))
}

fn parse_parts<'a>(source: &Source<'a>, each: &mut impl FnMut(Pair<'a, Rule>)) -> Result<(), ()> {
    let mut at = 0;
    let mut rule = Rule::head;
    loop {
        source.set_base(at);
        let text = source.text();
        // `sp* ~ EOI`, checked by hand: a failed pest parse costs time in the length of the
        // rest of the input (its error finds the line), which would add up to quadratic time.
        if rule == Rule::section && text.bytes().all(|b| b == b' ' || b == b'\t') {
            return Ok(());
        }
        let pair = SpecParser::parse(rule, text)
            .map_err(|_| ())?
            .next()
            .ok_or(())?;
        let len = pair.as_span().end();
        each(pair);
        if rule == Rule::section && len == 0 {
            // A section always has a heading; never loop in place.
            return Err(());
        }
        at += len;
        rule = Rule::section;
    }
}

/// The error of parsing the whole document at once.
fn whole_document_error(source: &Source<'_>) -> Box<Diagnostic> {
    match SpecParser::parse(Rule::document, source.text()) {
        Err(error) => Box::new(to_diagnostic(source, &error)),
        // Cannot happen: the parts failed where the whole would too.
        Ok(_) => Box::new(source.diagnostic(
            Severity::Error,
            "internal error: the document parses whole but not a section at a time",
            0,
            1,
            None,
        )),
    }
}

fn to_diagnostic(source: &Source<'_>, error: &Error<Rule>) -> Diagnostic {
    let offset = match error.location {
        InputLocation::Pos(pos) => pos,
        InputLocation::Span((start, _)) => start,
    };
    let (found, len) = found_at(source.text(), offset);
    let expected = match &error.variant {
        ErrorVariant::ParsingError { positives, .. } => expected_list(positives),
        ErrorVariant::CustomError { message } => Some(message.clone()),
    };
    source.diagnostic(
        Severity::Error,
        format!("unexpected {found}"),
        offset,
        len,
        expected,
    )
}

/// What the document holds at `offset`, for the message, and how many characters to underline.
fn found_at(text: &str, offset: usize) -> (String, usize) {
    let rest = text.get(offset..).unwrap_or("");
    let line = rest.split(['\r', '\n']).next().unwrap_or("");
    if rest.is_empty() {
        return ("end of the document".to_string(), 1);
    }
    if line.trim().is_empty() {
        return ("end of line".to_string(), 1);
    }
    let token: String = match line.chars().next() {
        Some(c) if c.is_alphanumeric() || c == '_' || c == '-' => line
            .chars()
            .take_while(|c| c.is_alphanumeric() || *c == '_' || *c == '-')
            .collect(),
        Some(c) if c.is_whitespace() => line.chars().take_while(|c| c.is_whitespace()).collect(),
        Some(c) => c.to_string(),
        None => String::new(),
    };
    let token: String = token.chars().take(40).collect();
    let len = token.chars().count();
    if token.trim().is_empty() {
        ("whitespace".to_string(), len)
    } else {
        (format!("`{token}`"), len)
    }
}

fn expected_list(positives: &[Rule]) -> Option<String> {
    let mut words: Vec<&str> = Vec::new();
    for rule in positives {
        let word = describe(*rule);
        if !words.contains(&word) {
            words.push(word);
        }
    }
    match words.as_slice() {
        [] => None,
        [one] => Some((*one).to_string()),
        [init @ .., last] => Some(format!("{} or {last}", init.join(", "))),
    }
}

/// A rule in words, for "expected ...".
fn describe(rule: Rule) -> &'static str {
    match rule {
        Rule::EOI => "the end of the document",
        Rule::document | Rule::head | Rule::section => "an event heading",
        Rule::title | Rule::title_text => "a title underlined with `=`",
        Rule::underlined_heading | Rule::bad_heading => "an event heading underlined with `-`",
        Rule::bare_heading | Rule::event_names | Rule::event_name => {
            "an event name such as `BALLOON_CHANGE`"
        }
        Rule::paragraph | Rule::note_text => "a paragraph",
        Rule::note | Rule::note_kw => "`Note:`",
        Rule::data_section | Rule::data_none_section | Rule::data_kw => "`Data:`",
        // Only tried after `Data:`, where the line may also end.
        Rule::none_kw => "`None.` or the end of the line",
        Rule::named_data | Rule::named_data_kw => "`- data: <Type> type as described in <file>`",
        Rule::field_list | Rule::stray_fields | Rule::field | Rule::bullet => {
            "a field bullet such as `- \"name\": description (json-string)`"
        }
        Rule::field_name | Rule::field_ident => "a field name in double quotes",
        Rule::colon => "`:` after the field name",
        Rule::value_item | Rule::value_item_text => "a value line such as `\"name\": description`",
        Rule::choice_intro => "`one of the following`",
        Rule::see_ref => "`See <Type> in <file> for possible values`",
        Rule::type_ref => {
            "a type reference such as `ACPIOSTInfo type as described in qapi-schema.json`"
        }
        Rule::type_name => "a type name",
        Rule::source_file => "a file name",
        Rule::quoted | Rule::quoted_text => "a quoted value",
        Rule::word => "a word",
        Rule::annotation => "a type annotation such as `(json-string)`",
        Rule::json_type => {
            "a JSON type (json-string, json-int, json-number, json-bool, json-object or json-array)"
        }
        Rule::item_sep => "`,`",
        Rule::annotation_end => "`)`",
        Rule::optional_kw => "`optional`",
        Rule::constant => "`currently always \"<value>\"`",
        Rule::value_list => "a list of values such as `\"a\" or \"b\"`",
        Rule::described_values | Rule::described_value | Rule::value_desc => {
            "described values such as `\"a\" for <description>`"
        }
        Rule::examples | Rule::example_kw => "`Example:`",
        Rule::example | Rule::caption | Rule::caption_text | Rule::json_block => {
            "an example: a JSON object starting with `{`"
        }
        // Silent rules: pest never reports them.
        _ => "more text",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rules_are_listed_once_in_words() {
        let list = expected_list(&[
            Rule::optional_kw,
            Rule::constant,
            Rule::value_list,
            Rule::described_values,
        ]);
        assert_eq!(
            list.as_deref(),
            Some(
                "`optional`, `currently always \"<value>\"`, a list of values such as `\"a\" or \"b\"` \
                 or described values such as `\"a\" for <description>`"
            )
        );
        // Rules described by the same words are listed once.
        assert_eq!(
            expected_list(&[Rule::field, Rule::bullet]).as_deref(),
            Some("a field bullet such as `- \"name\": description (json-string)`")
        );
        assert_eq!(expected_list(&[]), None);
    }

    #[test]
    fn the_found_token_is_a_word_or_one_character() {
        assert_eq!(
            found_at("ab json-strin)", 3),
            ("`json-strin`".to_string(), 10)
        );
        assert_eq!(found_at("ab\n", 2), ("end of line".to_string(), 1));
        assert_eq!(found_at("ab", 2), ("end of the document".to_string(), 1));
        assert_eq!(found_at("a{b", 1), ("`{`".to_string(), 1));
    }
}
