using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Threading;
using Apache.Arrow;
using Apache.Arrow.Ipc;
using NNLinearity.Glm;
using nietras.SeparatedValues;
using Parquet;
using Parquet.Schema;

namespace NNLinearity.Interop;

/// <summary>Which columns of a file a streamed GLM reads: the response, the predictors in order, and optional prior weights and offset.</summary>
/// <param name="Response">The response column.</param>
/// <param name="Predictors">The predictor columns, in the order of the coefficients (the intercept is added by the fit).</param>
/// <param name="Weights">A prior-weight column, or null.</param>
/// <param name="Offset">An offset column, or null.</param>
/// <remarks>Thread safety: immutable.</remarks>
public sealed record GlmColumnMap(string Response, IReadOnlyList<string> Predictors, string? Weights = null, string? Offset = null)
{
    internal IEnumerable<string> All => new[] { Response }.Concat(Predictors).Concat(Weights is null ? [] : [Weights]).Concat(Offset is null ? [] : [Offset]);

    internal void Validate()
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(Response, nameof(Response));
        ArgumentNullException.ThrowIfNull(Predictors, nameof(Predictors));
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (string c in All)
        {
            if (string.IsNullOrWhiteSpace(c)) throw new ArgumentException("A column name in the map is null or blank.", "columns");
            if (!seen.Add(c)) throw new ArgumentException($"The column \"{c}\" is named twice in the map.", "columns");
        }
    }
}

/// <summary>
/// Chunk sources for <see cref="NNLinearity.Glm.Glm.FitStreaming(IGlmChunkSource, NNLinearity.Families.GlmFamily, NNLinearity.Links.ILinkFunction?, GlmStreamingOptions?)"/>
/// over files: Parquet (one chunk per row group), Arrow IPC files (one chunk per record batch) and CSV (chunks of a
/// chosen number of lines). Numeric columns only (floating or integer); a null or unparsable value is refused with
/// its file, row and column, since a streamed fit has no table to leave rows out of.
/// </summary>
/// <remarks>Thread safety: stateless; each source it makes opens its file anew for every reading, so any number of fits may read one source at once.</remarks>
public static class GlmChunkSources
{
    /// <summary>Rows of one or more Parquet files, in file order, one chunk per row group.</summary>
    /// <param name="paths">The files (for example the parts of a partitioned data set), read in this order.</param>
    /// <param name="columns">The columns to read.</param>
    /// <returns>The source.</returns>
    /// <exception cref="ArgumentException">No paths, or a column named twice.</exception>
    /// <exception cref="FileNotFoundException">A file does not exist.</exception>
    public static IGlmChunkSource FromParquet(IReadOnlyList<string> paths, GlmColumnMap columns)
    {
        ArgumentNullException.ThrowIfNull(paths);
        ArgumentNullException.ThrowIfNull(columns);
        if (paths.Count == 0) throw new ArgumentException("No Parquet files were given.", nameof(paths));
        foreach (string p in paths)
        {
            if (!File.Exists(p)) throw new FileNotFoundException($"The Parquet file '{p}' does not exist.", p);
        }

        columns.Validate();
        return new ParquetSource(paths.ToArray(), columns);
    }

    /// <summary>Rows of an Arrow IPC file (the random-access format, .arrow/.feather v2), one chunk per record batch.</summary>
    /// <param name="path">The file.</param>
    /// <param name="columns">The columns to read.</param>
    /// <returns>The source.</returns>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    public static IGlmChunkSource FromArrowFile(string path, GlmColumnMap columns)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        ArgumentNullException.ThrowIfNull(columns);
        if (!File.Exists(path)) throw new FileNotFoundException($"The Arrow file '{path}' does not exist.", path);
        columns.Validate();
        return new ArrowSource(path, columns);
    }

    /// <summary>
    /// The record batches of an Arrow IPC file as tables, for a streamed formula fit
    /// (<see cref="NNLinearity.Glm.Glm.FitStreaming(string, NNLinearity.Data.IDataTableChunkSource, NNLinearity.Families.GlmFamily, NNLinearity.Links.ILinkFunction?, GlmStreamingOptions?, NNLinearity.Formulas.ModelFrameOptions?)"/>):
    /// each batch through <see cref="ArrowTables.FromRecordBatch"/>, so dictionary-encoded strings are factors with
    /// the dictionary as declared levels and nulls are missing values.
    /// </summary>
    /// <param name="path">The file.</param>
    /// <returns>The table source; every reading opens the file anew.</returns>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    public static NNLinearity.Data.IDataTableChunkSource TablesFromArrowFile(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        if (!File.Exists(path)) throw new FileNotFoundException($"The Arrow file '{path}' does not exist.", path);
        return NNLinearity.Data.DataTableChunks.FromFunction(ct => ArrowBatches(path, ct));
    }

    /// <summary>
    /// The row groups of one or more Parquet files as tables, for a streamed formula fit
    /// (<see cref="NNLinearity.Glm.Glm.FitStreaming(string, NNLinearity.Data.IDataTableChunkSource, NNLinearity.Families.GlmFamily, NNLinearity.Links.ILinkFunction?, GlmStreamingOptions?, NNLinearity.Formulas.ModelFrameOptions?)"/>):
    /// floating and integer columns become numeric columns (null is a missing value), string columns character
    /// columns (coded as factors with the levels of all the tables), boolean columns logical ones.
    /// </summary>
    /// <param name="paths">The files, read in this order.</param>
    /// <param name="columns">The columns to read (those the formula and the frame options use), or null for every column.</param>
    /// <returns>The table source; every reading opens the files anew.</returns>
    /// <exception cref="ArgumentException">No paths, or a column named twice.</exception>
    /// <exception cref="FileNotFoundException">A file does not exist.</exception>
    /// <remarks>
    /// While reading, a missing column, a column of another type (dates, decimals, nested values) or an infinite value
    /// is refused with an <see cref="InvalidDataException"/> naming the file, the row group and the column.
    /// </remarks>
    public static NNLinearity.Data.IDataTableChunkSource TablesFromParquet(IReadOnlyList<string> paths, IReadOnlyList<string>? columns = null)
    {
        ArgumentNullException.ThrowIfNull(paths);
        if (paths.Count == 0) throw new ArgumentException("No Parquet files were given.", nameof(paths));
        foreach (string p in paths)
        {
            if (!File.Exists(p)) throw new FileNotFoundException($"The Parquet file '{p}' does not exist.", p);
        }

        string[]? names = columns?.ToArray();
        if (names is not null)
        {
            var seen = new HashSet<string>(StringComparer.Ordinal);
            for (int i = 0; i < names.Length; i++)
            {
                if (string.IsNullOrWhiteSpace(names[i])) throw new ArgumentException($"columns[{i}] is null or blank.", nameof(columns));
                if (!seen.Add(names[i])) throw new ArgumentException($"columns[{i}] is \"{names[i]}\", named twice.", nameof(columns));
            }
        }

        string[] files = paths.ToArray();
        return NNLinearity.Data.DataTableChunks.FromFunction(ct => ParquetTables.Read(files, names, ct));
    }

    /// <summary>
    /// A CSV file with a header as tables of <paramref name="chunkRows"/> rows, for a streamed formula fit: read as
    /// <see cref="CsvTables.Read(string, CsvReadOptions?)"/> reads it (kinds inferred over the whole file, once, at the
    /// first reading; missing-value markers), except that a forced factor column is read as a character column, whose
    /// levels the fit collects over all the tables.
    /// </summary>
    /// <param name="path">The file.</param>
    /// <param name="chunkRows">Rows per table, at least 1.</param>
    /// <param name="options">Separator, missing-value markers and forced column kinds.</param>
    /// <returns>The table source.</returns>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="chunkRows"/> is below 1.</exception>
    /// <remarks>While reading, a field that does not parse is refused with an <see cref="InvalidDataException"/> naming its line and column, as is a file whose row count changed since the first reading.</remarks>
    public static NNLinearity.Data.IDataTableChunkSource TablesFromCsv(string path, int chunkRows = 65536, CsvReadOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        if (chunkRows < 1) throw new ArgumentOutOfRangeException(nameof(chunkRows), chunkRows, $"chunkRows is {chunkRows}; a table holds at least one row.");
        if (!File.Exists(path)) throw new FileNotFoundException($"The CSV file '{path}' does not exist.", path);
        return CsvTables.Chunks(path, options ?? new CsvReadOptions(), chunkRows);
    }

    private static IEnumerable<NNLinearity.Data.DataTable> ArrowBatches(string path, CancellationToken ct)
    {
        using FileStream stream = File.OpenRead(path);
        using var reader = new ArrowFileReader(stream);
        while (true)
        {
            ct.ThrowIfCancellationRequested();
            using RecordBatch? batch = reader.ReadNextRecordBatch();
            if (batch is null) yield break;
            yield return ArrowTables.FromRecordBatch(batch);
        }
    }

    /// <summary>Rows of a CSV file with a header, <paramref name="chunkRows"/> lines per chunk.</summary>
    /// <param name="path">The file.</param>
    /// <param name="columns">The columns to read.</param>
    /// <param name="chunkRows">Lines per chunk, at least 1.</param>
    /// <param name="separator">The field separator; detected from the header when null.</param>
    /// <returns>The source.</returns>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="chunkRows"/> is below 1.</exception>
    public static IGlmChunkSource FromCsv(string path, GlmColumnMap columns, int chunkRows = 65536, char? separator = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        ArgumentNullException.ThrowIfNull(columns);
        if (chunkRows < 1) throw new ArgumentOutOfRangeException(nameof(chunkRows), chunkRows, $"chunkRows is {chunkRows}; a chunk holds at least one row.");
        if (!File.Exists(path)) throw new FileNotFoundException($"The CSV file '{path}' does not exist.", path);
        columns.Validate();
        return new CsvSource(path, columns, chunkRows, separator);
    }

    /// <summary>Buffers for one chunk, reused from chunk to chunk (a chunk is read before the next is asked for).</summary>
    private sealed class ChunkBuffers(GlmColumnMap map)
    {
        private double[] _x = [], _y = [], _w = [], _o = [];

        public double[] X => _x;

        public double[] Y => _y;

        public double[] W => _w;

        public double[] O => _o;

        public void Ensure(int rows)
        {
            int k = map.Predictors.Count;
            if (_y.Length >= rows) return;
            _x = new double[(long)rows * k > int.MaxValue ? throw new InvalidDataException($"A chunk of {rows} rows x {k} columns is too large for one array; write smaller row groups or batches.") : rows * k];
            _y = new double[rows];
            _w = map.Weights is null ? [] : new double[rows];
            _o = map.Offset is null ? [] : new double[rows];
        }

        public GlmChunk Chunk(int rows) => new(_x.AsMemory(0, rows * map.Predictors.Count), map.Predictors.Count, _y.AsMemory(0, rows),
            map.Weights is null ? default : _w.AsMemory(0, rows), map.Offset is null ? default : _o.AsMemory(0, rows));

        /// <summary>Writes one column's values into its place: predictor j strided into X, or the response, weights or offset.</summary>
        public void Put(string column, ReadOnlySpan<double> values)
        {
            int k = map.Predictors.Count;
            if (column == map.Response) values.CopyTo(_y);
            else if (column == map.Weights) values.CopyTo(_w);
            else if (column == map.Offset) values.CopyTo(_o);
            else
            {
                int j = IndexOf(map.Predictors, column);
                for (int i = 0; i < values.Length; i++) _x[i * k + j] = values[i];
            }
        }

        private static int IndexOf(IReadOnlyList<string> list, string name)
        {
            for (int i = 0; i < list.Count; i++)
            {
                if (list[i] == name) return i;
            }

            return -1;
        }
    }

    private sealed class ParquetSource(string[] paths, GlmColumnMap map) : IGlmChunkSource
    {
        public int Columns => map.Predictors.Count;

        public IReadOnlyList<string>? ColumnNames => map.Predictors;

        public bool HasWeights => map.Weights is not null;

        public bool HasOffset => map.Offset is not null;

        public IEnumerable<GlmChunk> ReadChunks(CancellationToken cancellationToken)
        {
            var buffers = new ChunkBuffers(map);
            double[] column = [];
            foreach ((string path, int g, ParquetRowGroupReader group, int rows, DataField[] fields) in ParquetTables.RowGroups(paths, map.All, cancellationToken))
            {
                buffers.Ensure(rows);
                if (column.Length < rows) column = new double[rows];
                foreach (DataField field in fields)
                {
                    ReadColumn(group, field, column.AsMemory(0, rows), path, g, cancellationToken);
                    buffers.Put(field.Name, column.AsSpan(0, rows));
                    ParquetTables.AfterColumn(rows);
                }

                yield return buffers.Chunk(rows);
            }
        }

        private static void ReadColumn(ParquetRowGroupReader group, DataField field, Memory<double> into, string path, int g, CancellationToken ct)
        {
            int rows = into.Length;
            Span<double> dst = into.Span;
            Type t = Nullable.GetUnderlyingType(field.ClrType) ?? field.ClrType;
            if (field.IsNullable)
            {
                if (t == typeof(double))
                {
                    double?[] values = new double?[rows];
                    group.ReadAsync<double>(field, values.AsMemory(), null, ct).AsTask().GetAwaiter().GetResult();
                    for (int i = 0; i < rows; i++) dst[i] = values[i] ?? throw Null(path, g, i, field.Name);
                    return;
                }

                throw new InvalidDataException($"Column \"{field.Name}\" of '{path}' is a nullable {t.Name}; streamed fits read double columns, nullable or not, and non-nullable float, int and long columns.");
            }

            if (t == typeof(double))
            {
                group.ReadAsync<double>(field, into, null, ct).AsTask().GetAwaiter().GetResult();
            }
            else if (t == typeof(float))
            {
                float[] v = new float[rows];
                group.ReadAsync<float>(field, v.AsMemory(), null, ct).AsTask().GetAwaiter().GetResult();
                for (int i = 0; i < rows; i++) dst[i] = v[i];
            }
            else if (t == typeof(int))
            {
                int[] v = new int[rows];
                group.ReadAsync<int>(field, v.AsMemory(), null, ct).AsTask().GetAwaiter().GetResult();
                for (int i = 0; i < rows; i++) dst[i] = v[i];
            }
            else if (t == typeof(long))
            {
                long[] v = new long[rows];
                group.ReadAsync<long>(field, v.AsMemory(), null, ct).AsTask().GetAwaiter().GetResult();
                for (int i = 0; i < rows; i++) dst[i] = v[i];
            }
            else
            {
                throw new InvalidDataException($"Column \"{field.Name}\" of '{path}' holds {t.Name} values; a streamed fit reads numeric columns (double, float, int, long).");
            }
        }

        private static InvalidDataException Null(string path, int g, int i, string name) =>
            new($"Row {i} of row group {g} of '{path}' has no value (null) in column \"{name}\"; a streamed fit reads complete rows.");
    }

    private sealed class ArrowSource(string path, GlmColumnMap map) : IGlmChunkSource
    {
        public int Columns => map.Predictors.Count;

        public IReadOnlyList<string>? ColumnNames => map.Predictors;

        public bool HasWeights => map.Weights is not null;

        public bool HasOffset => map.Offset is not null;

        public IEnumerable<GlmChunk> ReadChunks(CancellationToken cancellationToken)
        {
            var buffers = new ChunkBuffers(map);
            double[] column = [];
            using FileStream stream = File.OpenRead(path);
            using var reader = new ArrowFileReader(stream);
            int batchIndex = 0;
            while (true)
            {
                cancellationToken.ThrowIfCancellationRequested();
                using RecordBatch? batch = reader.ReadNextRecordBatch();
                if (batch is null) yield break;
                int rows = batch.Length;
                buffers.Ensure(rows);
                if (column.Length < rows) column = new double[rows];
                foreach (string name in map.All)
                {
                    int index = batch.Schema.GetFieldIndex(name);
                    if (index < 0) throw new InvalidDataException($"The Arrow file '{path}' has no column \"{name}\" (it has {string.Join(", ", batch.Schema.FieldsList.Select(f => f.Name))}).");
                    IArrowArray array = batch.Column(index);
                    if (array.NullCount > 0)
                    {
                        int first = Enumerable.Range(0, rows).First(array.IsNull);
                        throw new InvalidDataException($"Row {first} of record batch {batchIndex} of '{path}' has no value (null) in column \"{name}\"; a streamed fit reads complete rows.");
                    }

                    Span<double> dst = column.AsSpan(0, rows);
                    switch (array)
                    {
                        case DoubleArray a: a.Values.CopyTo(dst); break;
                        case FloatArray a: for (int i = 0; i < rows; i++) dst[i] = a.Values[i]; break;
                        case Int64Array a: for (int i = 0; i < rows; i++) dst[i] = a.Values[i]; break;
                        case Int32Array a: for (int i = 0; i < rows; i++) dst[i] = a.Values[i]; break;
                        default: throw new InvalidDataException($"Column \"{name}\" of '{path}' is {array.Data.DataType.Name}; a streamed fit reads numeric columns (double, float, int32, int64).");
                    }

                    buffers.Put(name, dst);
                }

                batchIndex++;
                yield return buffers.Chunk(rows);
            }
        }
    }

    private sealed class CsvSource(string path, GlmColumnMap map, int chunkRows, char? separator) : IGlmChunkSource
    {
        public int Columns => map.Predictors.Count;

        public IReadOnlyList<string>? ColumnNames => map.Predictors;

        public bool HasWeights => map.Weights is not null;

        public bool HasOffset => map.Offset is not null;

        public IEnumerable<GlmChunk> ReadChunks(CancellationToken cancellationToken)
        {
            var buffers = new ChunkBuffers(map);
            buffers.Ensure(chunkRows);
            string[] names = map.All.ToArray();
            var columns = new double[names.Length][];
            for (int c = 0; c < names.Length; c++) columns[c] = new double[chunkRows];
            using SepReader reader = Sep.Reader(o => o with { Sep = separator is char s ? new Sep(s) : null, CultureInfo = CultureInfo.InvariantCulture, Unescape = true }).FromFile(path);
            int[] index = new int[names.Length];
            for (int c = 0; c < names.Length; c++)
            {
                if (!reader.Header.TryIndexOf(names[c], out index[c]))
                {
                    throw new InvalidDataException($"The CSV file '{path}' has no column \"{names[c]}\" (it has {string.Join(", ", reader.Header.ColNames)}).");
                }
            }

            int rows = 0;
            long line = 1;
            foreach (SepReader.Row row in reader)
            {
                line++;
                for (int c = 0; c < names.Length; c++)
                {
                    ReadOnlySpan<char> field = row[index[c]].Span;
                    if (!double.TryParse(field, NumberStyles.Float, CultureInfo.InvariantCulture, out double v))
                    {
                        throw new InvalidDataException($"Line {line} of '{path}' has \"{field.ToString()}\" in column \"{names[c]}\", which is not a number; a streamed fit reads complete numeric rows.");
                    }

                    columns[c][rows] = v;
                }

                rows++;
                if (rows == chunkRows)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    for (int c = 0; c < names.Length; c++) buffers.Put(names[c], columns[c].AsSpan(0, rows));
                    yield return buffers.Chunk(rows);
                    rows = 0;
                }
            }

            if (rows > 0)
            {
                for (int c = 0; c < names.Length; c++) buffers.Put(names[c], columns[c].AsSpan(0, rows));
                yield return buffers.Chunk(rows);
            }
        }
    }
}
