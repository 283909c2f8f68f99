//! What a spec change does to the generated Rust bindings (`--bindings`): both sides are
//! generated in memory as `cargo xtask generate` would, and the public items of the types,
//! client and server crates are compared. A change that is compatible on the wire can still
//! break Rust callers: a renamed component renames its type, a new optional property adds a
//! field that struct literals must name. A new optional parameter does not: the client's
//! builders gain a setter, and the server's request, path and query structs are
//! `#[non_exhaustive]`.
//!
//! Every public item is keyed by its path (`client::Client::topics_list`,
//! `types::Topic::name`) with its signature as tokens. Removed items and changed signatures
//! break callers; so do a new field of a public struct (a struct literal no longer compiles)
//! and a new variant of a public enum (an exhaustive `match` no longer compiles), unless the
//! type is `#[non_exhaustive]`. New items are additions.

use std::collections::BTreeMap;

use anyhow::{Context, Result};
use quote::ToTokens;

use crate::codegen::{self, Target};
use crate::spec::Spec;

/// One way the newer bindings break code written against the older ones.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BindingBreak {
    /// The item, `client::Client::topics_list`.
    pub item: String,
    /// What happened to it.
    pub what: String,
}

/// The public items of one side's generated crates, by path.
type Surface = BTreeMap<String, Entry>;

#[derive(Debug, Clone, PartialEq, Eq)]
enum Entry {
    /// A function, method, alias or constant: its signature.
    Signature(String),
    /// A field of a public struct (with its type) or a variant of a public enum.
    Member { owner: String, shape: String },
    /// A `#[non_exhaustive]` struct or enum: its generics. Code outside its crate can neither
    /// build nor exhaustively match it, so a new member breaks nothing.
    Open(String),
}

/// Every break between the bindings generated from `old` and from `new`. Fails when either
/// side cannot be generated (it does not follow the project's conventions, say).
pub fn compare(old: &Spec, new: &Spec) -> Result<Vec<BindingBreak>> {
    let old_surface = surface(old).context("the older document's bindings cannot be generated")?;
    let new_surface = surface(new).context("the newer document's bindings cannot be generated")?;
    let mut breaks = Vec::new();
    for (path, before) in &old_surface {
        match (new_surface.get(path), before) {
            (None, _) => breaks.push(BindingBreak {
                item: path.clone(),
                what: "removed".into(),
            }),
            (Some(after), _) if after == before => {}
            (Some(Entry::Signature(after)), Entry::Signature(before)) => {
                breaks.push(BindingBreak {
                    item: path.clone(),
                    what: format!("signature changed: `{before}` → `{after}`"),
                })
            }
            (Some(Entry::Member { shape: after, .. }), Entry::Member { shape: before, .. }) => {
                breaks.push(BindingBreak {
                    item: path.clone(),
                    what: format!("type changed: `{before}` → `{after}`"),
                })
            }
            (Some(_), _) => breaks.push(BindingBreak {
                item: path.clone(),
                what: "changed kind".into(),
            }),
        }
    }
    for (path, entry) in &new_surface {
        if old_surface.contains_key(path) {
            continue;
        }
        if let Entry::Member { owner, shape } = entry
            && old_surface.contains_key(owner)
            && !matches!(new_surface.get(owner), Some(Entry::Open(_)))
        {
            let what = if shape.starts_with("variant") {
                "new variant: an exhaustive `match` on the enum no longer compiles"
            } else {
                "new field: a struct literal of the type no longer compiles"
            };
            breaks.push(BindingBreak {
                item: path.clone(),
                what: what.into(),
            });
        }
    }
    Ok(breaks)
}

/// The public surface of the crates generated from `spec`.
fn surface(spec: &Spec) -> Result<Surface> {
    let mut surface = Surface::new();
    for file in codegen::generate(spec, &Target::project())? {
        let Some(name) = file.path.file_name().and_then(|name| name.to_str()) else {
            continue;
        };
        let module = match name {
            "types.rs" => "types",
            "client.rs" => "client",
            "server.rs" => "server",
            _ => continue,
        };
        let parsed: syn::File = syn::parse_str(&file.contents)
            .with_context(|| format!("{}: generated code does not parse", file.path.display()))?;
        collect(&parsed.items, module, &mut surface);
    }
    Ok(surface)
}

fn is_public(visibility: &syn::Visibility) -> bool {
    matches!(visibility, syn::Visibility::Public(_))
}

/// The item's tokens as one line, spaced as Rust is written (`Option<&'a str>`, not
/// `Option < & 'a str >`).
fn tokens(item: &impl ToTokens) -> String {
    let mut text = item.to_token_stream().to_string();
    for (spaced, tight) in [
        (" :: ", "::"),
        (":: ", "::"),
        (" < ", "<"),
        ("< ", "<"),
        (" >", ">"),
        ("& '", "&'"),
        ("& ", "&"),
        (" ,", ","),
        ("( ", "("),
        (" )", ")"),
        (",)", ")"),
        (" <", "<"),
        ("> (", ">("),
        (" : ", ": "),
    ] {
        text = text.replace(spaced, tight);
    }
    text
}

/// A struct's or enum's own entry: open when it is `#[non_exhaustive]`.
fn owner_entry(attrs: &[syn::Attribute], generics: &syn::Generics) -> Entry {
    if attrs
        .iter()
        .any(|attr| attr.path().is_ident("non_exhaustive"))
    {
        Entry::Open(tokens(generics))
    } else {
        Entry::Signature(tokens(generics))
    }
}

fn collect(items: &[syn::Item], prefix: &str, surface: &mut Surface) {
    for item in items {
        match item {
            syn::Item::Struct(item) if is_public(&item.vis) => {
                let owner = format!("{prefix}::{}", item.ident);
                surface.insert(owner.clone(), owner_entry(&item.attrs, &item.generics));
                for (index, field) in item.fields.iter().enumerate() {
                    if !is_public(&field.vis) {
                        continue;
                    }
                    let name = field
                        .ident
                        .as_ref()
                        .map_or_else(|| index.to_string(), ToString::to_string);
                    surface.insert(
                        format!("{owner}::{name}"),
                        Entry::Member {
                            owner: owner.clone(),
                            shape: format!("field {}", tokens(&field.ty)),
                        },
                    );
                }
            }
            syn::Item::Enum(item) if is_public(&item.vis) => {
                let owner = format!("{prefix}::{}", item.ident);
                surface.insert(owner.clone(), owner_entry(&item.attrs, &item.generics));
                for variant in &item.variants {
                    surface.insert(
                        format!("{owner}::{}", variant.ident),
                        Entry::Member {
                            owner: owner.clone(),
                            shape: format!("variant {}", tokens(&variant.fields)),
                        },
                    );
                }
            }
            syn::Item::Fn(item) if is_public(&item.vis) => {
                surface.insert(
                    format!("{prefix}::{}", item.sig.ident),
                    Entry::Signature(tokens(&item.sig)),
                );
            }
            syn::Item::Trait(item) if is_public(&item.vis) => {
                let owner = format!("{prefix}::{}", item.ident);
                surface.insert(owner.clone(), Entry::Signature(tokens(&item.supertraits)));
                for member in &item.items {
                    if let syn::TraitItem::Fn(method) = member {
                        surface.insert(
                            format!("{owner}::{}", method.sig.ident),
                            Entry::Signature(tokens(&method.sig)),
                        );
                    }
                }
            }
            syn::Item::Impl(item) if item.trait_.is_none() => {
                let owner = format!("{prefix}::{}", tokens(&item.self_ty));
                for member in &item.items {
                    if let syn::ImplItem::Fn(method) = member
                        && is_public(&method.vis)
                    {
                        surface.insert(
                            format!("{owner}::{}", method.sig.ident),
                            Entry::Signature(tokens(&method.sig)),
                        );
                    }
                }
            }
            syn::Item::Type(item) if is_public(&item.vis) => {
                surface.insert(
                    format!("{prefix}::{}", item.ident),
                    Entry::Signature(tokens(&item.ty)),
                );
            }
            syn::Item::Const(item) if is_public(&item.vis) => {
                surface.insert(
                    format!("{prefix}::{}", item.ident),
                    Entry::Signature(tokens(&item.ty)),
                );
            }
            syn::Item::Mod(item) if is_public(&item.vis) => {
                if let Some((_, items)) = &item.content {
                    collect(items, &format!("{prefix}::{}", item.ident), surface);
                }
            }
            _ => {}
        }
    }
}

/// The bindings section of the text report.
pub fn text(breaks: &[BindingBreak]) -> String {
    if breaks.is_empty() {
        return "\nRust bindings: no item removed or changed\n".into();
    }
    let mut out = format!(
        "\nRust bindings: {} break(s) for code using the generated crates (a semver-major change)\n",
        breaks.len()
    );
    for change in breaks {
        out.push_str(&format!("  {}: {}\n", change.item, change.what));
    }
    out
}
