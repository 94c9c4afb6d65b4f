//! The rooms a user chose for devices, as kept in the browser: one `device id<TAB>room` line
//! per device, with `\`, tab and newline escaped so any id or name survives.

/// Reads saved assignments; lines that cannot be read are skipped, not fatal.
pub fn decode(text: &str) -> Vec<(String, String)> {
    text.lines()
        .filter_map(|line| {
            let (device, room) = line.split_once('\t')?;
            let (device, room) = (unescape(device)?, unescape(room)?);
            (!device.is_empty() && !room.is_empty()).then_some((device, room))
        })
        .collect()
}

pub fn encode(assignments: &[(String, String)]) -> String {
    let mut text = String::new();
    for (device, room) in assignments {
        escape_into(&mut text, device);
        text.push('\t');
        escape_into(&mut text, room);
        text.push('\n');
    }
    text
}

fn escape_into(out: &mut String, s: &str) {
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\t' => out.push_str("\\t"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            c => out.push(c),
        }
    }
}

fn unescape(s: &str) -> Option<String> {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        out.push(match chars.next()? {
            '\\' => '\\',
            't' => '\t',
            'n' => '\n',
            'r' => '\r',
            _ => return None,
        });
    }
    Some(out)
}

/// A room name as typed: trimmed, inner runs of whitespace made one space; `None` if empty.
pub fn clean_room_name(typed: &str) -> Option<String> {
    let name = typed.split_whitespace().collect::<Vec<_>>().join(" ");
    (!name.is_empty()).then_some(name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn assignments_survive_a_round_trip_whatever_their_characters() {
        let saved = vec![
            ("z2m:0x01".to_owned(), "Living room".to_owned()),
            ("homie:odd\tid\\x".to_owned(), "Kid's\nroom".to_owned()),
        ];
        assert_eq!(decode(&encode(&saved)), saved);
    }

    #[test]
    fn unreadable_lines_are_skipped() {
        let text = "no tab here\nz2m:0x01\tKitchen\nbad\\q\tx\n\tEmpty device\n";
        assert_eq!(
            decode(text),
            vec![("z2m:0x01".to_owned(), "Kitchen".to_owned())]
        );
    }

    #[test]
    fn a_typed_room_name_is_tidied_and_blank_is_none() {
        assert_eq!(
            clean_room_name("  Guest   room "),
            Some("Guest room".into())
        );
        assert_eq!(clean_room_name("   "), None);
    }
}
