//! NPY and NPZ: the header and body checks around `npyz` and `zip` that give each bad file its
//! own message (an unsupported dtype, a truncated body, a shape that overflows, a member over
//! the budget).

use super::*;

/// A parsed NPY header and the body after it, checked against the shape.
pub(super) struct Npy<'a> {
    header: NpyHeader,
    body: &'a [u8],
    rows: usize,
    dim: usize,
}

pub(super) fn npy_body<'a>(
    input: Input<'a>,
    budget: usize,
    expected: &'static str,
) -> Result<Npy<'a>, ByoError> {
    let source = input.source.to_string();
    check_budget(input, budget)?;
    if let Some(shape) = shape_overflows(input.bytes) {
        return Err(ByoError::NpyShape {
            file: source,
            shape,
        });
    }
    let mut body = input.bytes;
    let header = NpyHeader::from_reader(&mut body).map_err(|e| ByoError::NpyHeader {
        file: source.clone(),
        reason: e.to_string(),
    })?;
    let unsupported = || ByoError::UnsupportedDtype {
        file: source.clone(),
        dtype: header.dtype().descr(),
        expected,
    };
    let DType::Plain(type_str) = header.dtype() else {
        return Err(unsupported());
    };
    let size = type_str.num_bytes().ok_or_else(unsupported)? as u64;
    let (rows, dim) = match header.shape() {
        [rows] => (*rows, 1),
        [rows, dim] => (*rows, *dim),
        _ => {
            return Err(ByoError::NpyShape {
                file: source,
                shape: header.shape().to_vec(),
            });
        }
    };
    if rows == 0 || dim == 0 {
        return Err(ByoError::Empty { file: source });
    }
    let expected_bytes = rows.saturating_mul(dim).saturating_mul(size);
    if (body.len() as u64) < expected_bytes {
        return Err(ByoError::Truncated {
            file: source,
            expected: expected_bytes,
            actual: body.len() as u64,
        });
    }
    Ok(Npy {
        header,
        body,
        rows: rows as usize,
        dim: dim as usize,
    })
}

/// The shape in an NPY header whose element count overflows `u64`, if it does.
///
/// npyz multiplies the shape out unchecked (a panic in debug builds, a wrong count in release),
/// so the header text is read here first: the magic, the version, the header length (2 bytes
/// in version 1, 4 after), then the `'shape': (a, b, ...)` entry of the header's dict. Anything
/// unexpected is left for npyz to refuse.
pub(super) fn shape_overflows(bytes: &[u8]) -> Option<Vec<u64>> {
    let version = *bytes.get(6)?;
    let (length, start): (usize, usize) = if version == 1 {
        (
            u16::from_le_bytes(bytes.get(8..10)?.try_into().ok()?).into(),
            10,
        )
    } else {
        (
            u32::from_le_bytes(bytes.get(8..12)?.try_into().ok()?) as usize,
            12,
        )
    };
    let header = std::str::from_utf8(bytes.get(start..start.checked_add(length)?)?).ok()?;
    let after = &header[header.find("'shape'")? + "'shape'".len()..];
    let inside = &after[after.find('(')? + 1..];
    let inside = &inside[..inside.find(')')?];
    let shape: Vec<u64> = inside
        .split(',')
        .map(str::trim)
        .filter(|d| !d.is_empty())
        .map(|d| d.trim_end_matches('L').parse().ok())
        .collect::<Option<_>>()?;
    let overflows = shape
        .iter()
        .try_fold(1u64, |n, &d| n.checked_mul(d))
        .is_none();
    overflows.then_some(shape)
}

impl Npy<'_> {
    /// The values in row-major order, whatever the file's order.
    fn read<T: npyz::Deserialize + Copy>(self, source: &str) -> Result<Vec<T>, ByoError> {
        let (rows, dim, order) = (self.rows, self.dim, self.header.order());
        let stored: Vec<T> = NpyFile::with_header(self.header, self.body)
            .into_vec()
            .map_err(|e| ByoError::NpyHeader {
                file: source.to_string(),
                reason: e.to_string(),
            })?;
        Ok(match order {
            Order::C => stored,
            Order::Fortran => (0..rows * dim)
                .map(|k| stored[(k % dim) * rows + k / dim])
                .collect(),
        })
    }

    fn type_str(&self) -> (TypeChar, u64) {
        match self.header.dtype() {
            DType::Plain(t) => (t.type_char(), t.size_field()),
            _ => unreachable!("npy_body admits plain dtypes only"),
        }
    }
}

/// Embeddings from a float32 or float64 NPY file.
pub fn parse_npy(input: Input, budget: usize) -> Result<Embeddings, ByoError> {
    const EXPECTED: &str = "float32 or float64 (<f4, >f4, <f8, >f8)";
    let source = input.source;
    let npy = npy_body(input, budget, EXPECTED)?;
    let (rows, dim) = (npy.rows, npy.dim);
    let values: Vec<f32> = match npy.type_str() {
        (TypeChar::Float, 4) => npy.read::<f32>(source)?,
        (TypeChar::Float, 8) => npy
            .read::<f64>(source)?
            .into_iter()
            .map(|v| v as f32)
            .collect(),
        _ => {
            return Err(ByoError::UnsupportedDtype {
                file: source.to_string(),
                dtype: npy.header.dtype().descr(),
                expected: EXPECTED,
            });
        }
    };
    if let Some(k) = values.iter().position(|v| !v.is_finite()) {
        return Err(ByoError::NotFinite {
            file: source.to_string(),
            line: (k / dim) as u64,
            column: (k % dim).to_string(),
            value: "a NaN or infinity (or a float64 beyond float32's range)".to_string(),
        });
    }
    Ok(Embeddings { values, rows, dim })
}

/// Label columns from an integer NPY array, named `name` (with `[j]` for column `j` of a 2-D
/// array).
pub(super) fn npy_labels(
    input: Input,
    name: &str,
    budget: usize,
) -> Result<Vec<LabelColumn>, ByoError> {
    const EXPECTED: &str = "an integer type for labels (int8 to int64, uint8 to uint64)";
    let source = input.source;
    let npy = npy_body(input, budget, EXPECTED)?;
    let (rows, dim) = (npy.rows, npy.dim);
    let values: Vec<i128> = match npy.type_str() {
        (TypeChar::Int, 1) => widen(npy.read::<i8>(source)?),
        (TypeChar::Int, 2) => widen(npy.read::<i16>(source)?),
        (TypeChar::Int, 4) => widen(npy.read::<i32>(source)?),
        (TypeChar::Int, 8) => widen(npy.read::<i64>(source)?),
        (TypeChar::Uint, 1) => widen(npy.read::<u8>(source)?),
        (TypeChar::Uint, 2) => widen(npy.read::<u16>(source)?),
        (TypeChar::Uint, 4) => widen(npy.read::<u32>(source)?),
        (TypeChar::Uint, 8) => widen(npy.read::<u64>(source)?),
        _ => {
            return Err(ByoError::UnsupportedDtype {
                file: source.to_string(),
                dtype: npy.header.dtype().descr(),
                expected: EXPECTED,
            });
        }
    };
    (0..dim)
        .map(|j| {
            let column = if dim == 1 {
                name.to_string()
            } else {
                format!("{name}[{j}]")
            };
            let mut builder = ClassBuilder::new(&column);
            for i in 0..rows {
                builder.push(&values[i * dim + j].to_string());
            }
            builder.finish(source)
        })
        .collect()
}

pub(super) fn widen<T: Into<i128>>(values: Vec<T>) -> Vec<i128> {
    values.into_iter().map(Into::into).collect()
}

// ---- NPZ -----------------------------------------------------------------------------------

/// The embeddings of an NPZ archive and, when `labels` is given, its label arrays (the keys
/// chosen, or all arrays but the embeddings when the slice is empty).
pub(super) fn parse_npz(
    input: Input,
    options: &Options,
    labels: Option<&[ColumnRef]>,
) -> Result<(Embeddings, Vec<LabelColumn>), ByoError> {
    let source = input.source;
    check_budget(input, options.budget_bytes)?;
    let npz_error = |reason: String| ByoError::Npz {
        file: source.to_string(),
        reason,
    };
    let mut archive =
        zip::ZipArchive::new(Cursor::new(input.bytes)).map_err(|e| npz_error(e.to_string()))?;
    let names = archive.file_names().collect::<Result<Vec<_>, _>>();
    let mut keys: Vec<String> = names
        .map_err(|e| npz_error(e.to_string()))?
        .iter()
        .filter_map(|n| n.strip_suffix(".npy"))
        .map(str::to_string)
        .collect();
    keys.sort();
    let missing = |wanted: &str| ByoError::NpzMissing {
        file: source.to_string(),
        wanted: wanted.to_string(),
        available: quote(&keys.join(", ")),
    };

    let embeddings_key = match &options.npz_embeddings {
        Some(key) if keys.contains(key) => key.clone(),
        Some(key) => return Err(missing(key)),
        None => NPZ_EMBEDDING_KEYS
            .iter()
            .find(|k| keys.iter().any(|key| key == *k))
            .ok_or_else(|| missing(NPZ_EMBEDDING_KEYS[0]))?
            .to_string(),
    };
    let label_keys: Vec<String> = match labels {
        None => Vec::new(),
        Some([]) => keys
            .iter()
            .filter(|k| **k != embeddings_key)
            .cloned()
            .collect(),
        Some(chosen) => chosen
            .iter()
            .map(|c| {
                let key = c.label();
                if keys.contains(&key) {
                    Ok(key)
                } else {
                    Err(missing(&key))
                }
            })
            .collect::<Result<_, _>>()?,
    };

    // Each member is inflated only after its stated size passes the budget.
    let mut member = |key: &str| -> Result<(String, Vec<u8>), ByoError> {
        let name = format!("{source}:{key}.npy");
        let mut file = archive
            .by_name(&format!("{key}.npy"))
            .map_err(|e| npz_error(e.to_string()))?;
        check_size(&name, file.size(), options.budget_bytes)?;
        let mut bytes = Vec::with_capacity(file.size() as usize);
        file.read_to_end(&mut bytes)
            .map_err(|e| npz_error(format!("{key}.npy: {e}")))?;
        Ok((name, bytes))
    };
    let (name, bytes) = member(&embeddings_key)?;
    let embeddings = parse_npy(
        Input {
            source: &name,
            bytes: &bytes,
        },
        options.budget_bytes,
    )?;
    let mut columns = Vec::new();
    for key in &label_keys {
        let (name, bytes) = member(key)?;
        let input = Input {
            source: &name,
            bytes: &bytes,
        };
        columns.extend(npy_labels(input, key, options.budget_bytes)?);
    }
    Ok((embeddings, columns))
}
