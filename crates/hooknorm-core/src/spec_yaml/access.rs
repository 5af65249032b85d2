//! How the deserializer enters sequences, mappings and `!tag` variants: the serde access types.

use std::fmt;

use serde::de::{self, DeserializeSeed, Expected, Unexpected, Visitor};

use super::de::De;
use super::error::{Error, Path, Result};
use super::{Entry, Kind, Node};

impl<'a> De<'a, '_> {
    pub(super) fn visit_seq<V: Visitor<'a>>(
        mut self,
        items: &'a [Node],
        visitor: V,
    ) -> Result<V::Value> {
        self.depth_check()?;
        let mut seq = SeqAccess {
            de: &self,
            items,
            next: 0,
        };
        let value = visitor.visit_seq(&mut seq)?;
        if seq.next < items.len() {
            return Err(de::Error::invalid_length(
                items.len(),
                &Count(seq.next, false),
            ));
        }
        Ok(value)
    }

    pub(super) fn visit_map<V: Visitor<'a>>(
        mut self,
        entries: &'a [Entry],
        visitor: V,
    ) -> Result<V::Value> {
        self.depth_check()?;
        let mut map = MapAccess {
            de: &self,
            entries,
            next: 0,
        };
        let value = visitor.visit_map(&mut map)?;
        if map.next < entries.len() {
            return Err(de::Error::invalid_length(
                entries.len(),
                &Count(map.next, true),
            ));
        }
        Ok(value)
    }

    /// A variant named by the node's `!tag`.
    pub(super) fn visit_tag_enum<V: Visitor<'a>>(
        self,
        name: Option<&'static str>,
        tag: &'a str,
        visitor: V,
    ) -> Result<V::Value> {
        let variant = self.child(self.node, self.path);
        visitor.visit_enum(TagEnum {
            de: variant,
            name,
            tag,
        })
    }
}

/// `sequence of N elements` / `map containing N entries`, as serde_yaml_ng expects lengths.
struct Count(usize, bool);

impl Expected for Count {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        match (self.0, self.1) {
            (1, false) => f.write_str("sequence of 1 element"),
            (n, false) => write!(f, "sequence of {n} elements"),
            (1, true) => f.write_str("map containing 1 entry"),
            (n, true) => write!(f, "map containing {n} entries"),
        }
    }
}

struct SeqAccess<'d, 'a, 'p> {
    de: &'d De<'a, 'p>,
    items: &'a [Node],
    next: usize,
}

impl<'a> de::SeqAccess<'a> for SeqAccess<'_, 'a, '_> {
    type Error = Error;

    fn next_element_seed<T: DeserializeSeed<'a>>(&mut self, seed: T) -> Result<Option<T::Value>> {
        let Some(item) = self.items.get(self.next) else {
            return Ok(None);
        };
        let index = self.next;
        self.next += 1;
        seed.deserialize(self.de.child(
            item,
            Path::Seq {
                parent: &self.de.path,
                index,
            },
        ))
        .map(Some)
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.items.len() - self.next)
    }
}

struct MapAccess<'d, 'a, 'p> {
    de: &'d De<'a, 'p>,
    entries: &'a [Entry],
    next: usize,
}

impl<'a> de::MapAccess<'a> for MapAccess<'_, 'a, '_> {
    type Error = Error;

    fn next_key_seed<K: DeserializeSeed<'a>>(&mut self, seed: K) -> Result<Option<K::Value>> {
        let Some(entry) = self.entries.get(self.next) else {
            return Ok(None);
        };
        self.next += 1;
        if entry.duplicate {
            let mut e = Error::new("duplicate key").fix(entry.key.pos, self.de.path);
            e.duplicate = true;
            return Err(e);
        }
        seed.deserialize(self.de.child(&entry.key, self.de.path))
            .map(Some)
    }

    fn next_value_seed<V: DeserializeSeed<'a>>(&mut self, seed: V) -> Result<V::Value> {
        let entry = &self.entries[self.next - 1];
        let path = match &entry.key.kind {
            Kind::Scalar(key, _) => Path::Map {
                parent: &self.de.path,
                key,
            },
            _ => Path::Unknown {
                parent: &self.de.path,
            },
        };
        seed.deserialize(self.de.child(&entry.value, path))
    }
}

/// A unit variant named by a scalar.
pub(super) struct UnitVariant<'a, 'p> {
    pub(super) de: De<'a, 'p>,
}

impl<'a, 'p> de::EnumAccess<'a> for UnitVariant<'a, 'p> {
    type Error = Error;
    type Variant = Self;

    fn variant_seed<V: DeserializeSeed<'a>>(self, seed: V) -> Result<(V::Value, Self)> {
        let de = self.de.child(self.de.node, self.de.path);
        Ok((seed.deserialize(de)?, self))
    }
}

impl<'a> de::VariantAccess<'a> for UnitVariant<'a, '_> {
    type Error = Error;

    fn unit_variant(self) -> Result<()> {
        Ok(())
    }

    fn newtype_variant_seed<T: DeserializeSeed<'a>>(self, _seed: T) -> Result<T::Value> {
        Err(de::Error::invalid_type(
            Unexpected::UnitVariant,
            &"newtype variant",
        ))
    }

    fn tuple_variant<V: Visitor<'a>>(self, _len: usize, _visitor: V) -> Result<V::Value> {
        Err(de::Error::invalid_type(
            Unexpected::UnitVariant,
            &"tuple variant",
        ))
    }

    fn struct_variant<V: Visitor<'a>>(
        self,
        _fields: &'static [&'static str],
        _visitor: V,
    ) -> Result<V::Value> {
        Err(de::Error::invalid_type(
            Unexpected::UnitVariant,
            &"struct variant",
        ))
    }
}

/// A variant named by the value's `!tag`; the value is its content.
struct TagEnum<'a, 'p> {
    de: De<'a, 'p>,
    name: Option<&'static str>,
    tag: &'a str,
}

impl<'a, 'p> de::EnumAccess<'a> for TagEnum<'a, 'p> {
    type Error = Error;
    type Variant = De<'a, 'p>;

    fn variant_seed<V: DeserializeSeed<'a>>(self, seed: V) -> Result<(V::Value, De<'a, 'p>)> {
        let variant = seed.deserialize(de::value::StrDeserializer::<Error>::new(self.tag))?;
        let mut de = self.de;
        de.current_enum = Some((self.name, self.tag));
        Ok((variant, de))
    }
}

impl<'a> de::VariantAccess<'a> for De<'a, '_> {
    type Error = Error;

    fn unit_variant(self) -> Result<()> {
        de::Deserialize::deserialize(self)
    }

    fn newtype_variant_seed<T: DeserializeSeed<'a>>(self, seed: T) -> Result<T::Value> {
        seed.deserialize(self)
    }

    fn tuple_variant<V: Visitor<'a>>(self, _len: usize, visitor: V) -> Result<V::Value> {
        de::Deserializer::deserialize_seq(self, visitor)
    }

    fn struct_variant<V: Visitor<'a>>(
        self,
        fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value> {
        de::Deserializer::deserialize_struct(self, "", fields, visitor)
    }
}
