using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Threading;
using NNLinearity.Data;
using Parquet;
using Parquet.Schema;

namespace NNLinearity.Interop;

/// <summary>Parquet row groups read as tables (see <see cref="GlmChunkSources.TablesFromParquet"/>).</summary>
internal static class ParquetTables
{
    /// <summary>Parquet.Net pools its decompression streams without bound unless told: a reading keeps at most 64 MB of them.</summary>
    internal static readonly ParquetOptions PoolLimits = new() { MaximumSmallPoolFreeBytes = 16 << 20, MaximumLargePoolFreeBytes = 64 << 20 };

    /// <summary>Columns of this many rows (2 MB of doubles) and more are followed by a full collection.</summary>
    private const int LargeColumnRows = 1 << 18;

    /// <summary>
    /// Every row group of the files, in order, with the fields named (every field when <paramref name="names"/> is
    /// null); a missing column or a row group of 2^31 rows or more is refused naming the file.
    /// </summary>
    internal static IEnumerable<(string Path, int Index, ParquetRowGroupReader Group, int Rows, DataField[] Fields)> RowGroups(string[] paths, IEnumerable<string>? names, CancellationToken ct)
    {
        foreach (string path in paths)
        {
            ParquetReader reader = ParquetReader.CreateAsync(path, PoolLimits, ct).GetAwaiter().GetResult();
            try
            {
                DataField[] all = reader.Schema.GetDataFields();
                DataField[] fields = names is null ? all : names.Select(name => all.FirstOrDefault(f => f.Name == name)
                    ?? throw new InvalidDataException($"The Parquet file '{path}' has no column \"{name}\" (it has {string.Join(", ", all.Select(f => f.Name))}).")).ToArray();
                for (int g = 0; g < reader.RowGroupCount; g++)
                {
                    ct.ThrowIfCancellationRequested();
                    using ParquetRowGroupReader group = reader.OpenRowGroupReader(g);
                    if (group.RowCount > int.MaxValue) throw new InvalidDataException($"Row group {g} of '{path}' has {group.RowCount} rows; write row groups below 2^31 rows.");
                    yield return (path, g, group, (int)group.RowCount, fields);
                }
            }
            finally
            {
                reader.DisposeAsync().AsTask().GetAwaiter().GetResult();
            }
        }
    }

    /// <summary>
    /// After a column of <paramref name="rows"/> rows: Parquet.Net decodes a column chunk through several short-lived
    /// arrays of its size on the large-object heap, which only a full collection frees; collected after each large
    /// column, a file is read at its live set (one row group and the pools) instead of growing the heap by a gigabyte
    /// per row group of 20 columns x 2^20 rows.
    /// </summary>
    internal static void AfterColumn(int rows)
    {
        if (rows >= LargeColumnRows) GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: false);
    }

    public static IEnumerable<DataTable> Read(string[] paths, string[]? names, CancellationToken ct)
    {
        foreach ((string path, int g, ParquetRowGroupReader group, int rows, DataField[] fields) in RowGroups(paths, names, ct))
        {
            var columns = new DataColumn[fields.Length];
            for (int c = 0; c < fields.Length; c++)
            {
                columns[c] = Column(group, fields[c], rows, path, g, ct);
                AfterColumn(rows);
            }

            yield return new DataTable(columns);
        }
    }

    private static DataColumn Column(ParquetRowGroupReader group, DataField field, int rows, string path, int g, CancellationToken ct)
    {
        Type t = Nullable.GetUnderlyingType(field.ClrType) ?? field.ClrType;
        try
        {
            if (t == typeof(string) || t == typeof(ReadOnlyMemory<char>)) // Parquet.Net 6 types UTF-8 columns as ReadOnlyMemory<char>; read as strings
            {
                string?[] v = new string?[rows]; // a null entry is a missing value
                group.ReadAsync(field, v.AsMemory(), null, ct).AsTask().GetAwaiter().GetResult();
                return DataColumn.Text(field.Name, v);
            }

            if (t == typeof(bool))
            {
                bool?[] v = new bool?[rows];
                if (field.IsNullable)
                {
                    group.ReadAsync<bool>(field, v.AsMemory(), null, ct).AsTask().GetAwaiter().GetResult();
                }
                else
                {
                    bool[] b = new bool[rows];
                    group.ReadAsync<bool>(field, b.AsMemory(), null, ct).AsTask().GetAwaiter().GetResult();
                    for (int i = 0; i < rows; i++) v[i] = b[i];
                }

                return DataColumn.Logical(field.Name, v);
            }

            double[] values = t == typeof(double) ? Numbers<double>(group, field, rows, x => x, ct)
                : t == typeof(float) ? Numbers<float>(group, field, rows, x => x, ct)
                : t == typeof(int) ? Numbers<int>(group, field, rows, x => x, ct)
                : t == typeof(long) ? Numbers<long>(group, field, rows, x => x, ct)
                : t == typeof(short) ? Numbers<short>(group, field, rows, x => x, ct)
                : t == typeof(byte) ? Numbers<byte>(group, field, rows, x => x, ct)
                : throw new InvalidDataException($"Column \"{field.Name}\" of '{path}' holds {t.Name} values; tables are read from numeric (floating or integer), string and boolean columns.");
            return DataColumn.NumericOwned(field.Name, values);
        }
        catch (ArgumentException e)
        {
            throw new InvalidDataException($"Row group {g} of '{path}': {e.Message}", e);
        }
    }

    /// <summary>A numeric column as doubles; a null (in a nullable column) is NaN, a missing value.</summary>
    private static double[] Numbers<TValue>(ParquetRowGroupReader group, DataField field, int rows, Func<TValue, double> toDouble, CancellationToken ct)
        where TValue : struct
    {
        var result = new double[rows];
        if (field.IsNullable)
        {
            var v = new TValue?[rows];
            group.ReadAsync<TValue>(field, v.AsMemory(), null, ct).AsTask().GetAwaiter().GetResult();
            for (int i = 0; i < rows; i++) result[i] = v[i] is TValue x ? toDouble(x) : double.NaN;
        }
        else
        {
            var v = new TValue[rows];
            group.ReadAsync<TValue>(field, v.AsMemory(), null, ct).AsTask().GetAwaiter().GetResult();
            for (int i = 0; i < rows; i++) result[i] = toDouble(v[i]);
        }

        return result;
    }
}
