using System;
using System.Collections.Generic;
using System.Linq;
using Apache.Arrow;
using Apache.Arrow.Types;
using NNLinearity.Data;

namespace NNLinearity.Interop;

/// <summary>Tables from Apache Arrow record batches.</summary>
/// <remarks>Thread safety: stateless; safe from any thread (a batch must not change while it is read).</remarks>
public static class ArrowTables
{
    /// <summary>
    /// A table from a record batch: floating and integer columns become numeric (nulls are missing), strings become
    /// character columns, booleans logical columns, and dictionary-encoded strings factors with the dictionary as
    /// levels. Each value is read once into the table's own arrays.
    /// </summary>
    /// <param name="batch">The record batch.</param>
    /// <returns>The table.</returns>
    /// <exception cref="NotSupportedException">A column of a type with no table counterpart (nested, binary, temporal).</exception>
    public static DataTable FromRecordBatch(RecordBatch batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        var columns = new List<DataColumn>(batch.ColumnCount);
        for (int c = 0; c < batch.ColumnCount; c++) columns.Add(Column(batch.Schema.GetFieldByIndex(c).Name, batch.Column(c)));
        return new DataTable(columns);
    }

    private static DataColumn Column(string name, IArrowArray array)
    {
        int n = array.Length;
        switch (array)
        {
            case DoubleArray a: return Numeric(name, n, i => a.GetValue(i));
            case FloatArray a: return Numeric(name, n, i => a.GetValue(i));
            case Int64Array a: return Numeric(name, n, i => a.GetValue(i));
            case Int32Array a: return Numeric(name, n, i => a.GetValue(i));
            case Int16Array a: return Numeric(name, n, i => a.GetValue(i));
            case Int8Array a: return Numeric(name, n, i => a.GetValue(i));
            case UInt64Array a: return Numeric(name, n, i => a.GetValue(i));
            case UInt32Array a: return Numeric(name, n, i => a.GetValue(i));
            case UInt16Array a: return Numeric(name, n, i => a.GetValue(i));
            case UInt8Array a: return Numeric(name, n, i => a.GetValue(i));
            case BooleanArray a:
            {
                var codes = new int[n];
                for (int i = 0; i < n; i++) codes[i] = a.GetValue(i) is bool b ? (b ? 1 : 0) : -1;
                return DataColumn.CodedOwned(name, ColumnKind.Logical, codes, ["FALSE", "TRUE"], false);
            }

            case StringArray a:
                return DataColumn.Text(name, Enumerable.Range(0, n).Select(i => a.IsNull(i) ? null : a.GetString(i)).ToArray());
            case DictionaryArray d when d.Dictionary is StringArray dict:
            {
                string[] levels = Enumerable.Range(0, dict.Length).Select(i => dict.GetString(i)).ToArray();
                var codes = new int[n];
                for (int i = 0; i < n; i++) codes[i] = d.IsNull(i) ? -1 : IndexAt(d.Indices, i);
                bool ordered = d.Data.DataType is DictionaryType { Ordered: true };
                return DataColumn.CodedOwned(name, ColumnKind.Factor, codes, levels, ordered);
            }

            default:
                throw new NotSupportedException($"Column '{name}' is an Arrow {array.Data.DataType.Name} column; a table takes numbers, strings, booleans and dictionary-encoded strings.");
        }
    }

    private static int IndexAt(IArrowArray indices, int i) => indices switch
    {
        Int8Array a => a.GetValue(i)!.Value,
        Int16Array a => a.GetValue(i)!.Value,
        Int32Array a => a.GetValue(i)!.Value,
        Int64Array a => checked((int)a.GetValue(i)!.Value),
        UInt8Array a => a.GetValue(i)!.Value,
        UInt16Array a => a.GetValue(i)!.Value,
        UInt32Array a => checked((int)a.GetValue(i)!.Value),
        _ => throw new NotSupportedException($"Dictionary indices of type {indices.Data.DataType.Name} are not supported."),
    };

    private static DataColumn Numeric<T>(string name, int n, Func<int, T?> value) where T : struct, IConvertible
    {
        var v = new double[n];
        for (int i = 0; i < n; i++) v[i] = value(i) is T x ? x.ToDouble(System.Globalization.CultureInfo.InvariantCulture) : double.NaN;
        return DataColumn.NumericOwned(name, v);
    }
}
