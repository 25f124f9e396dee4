//! `validated_serde!`: serde for an entity that keeps its data in a private
//! `*Fields` struct. Serialising writes the fields; deserialising reads the
//! fields and runs them through the same `validate` the constructors use, so
//! JSON cannot produce an entity that a constructor would have refused.

macro_rules! validated_serde {
    ($entity:ident, $fields:ident) => {
        impl serde::Serialize for $entity {
            fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
                self.f.serialize(s)
            }
        }

        impl<'de> serde::Deserialize<'de> for $entity {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
                let fields = $fields::deserialize(d)?;
                $entity::validate(fields).map_err(serde::de::Error::custom)
            }
        }
    };
}

pub(crate) use validated_serde;
