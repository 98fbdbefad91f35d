using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using Microsoft.Data.Analysis;
using NNLinearity.Data;

namespace NNLinearity.Interop;

/// <summary>Tables from Microsoft.Data.Analysis data frames.</summary>
/// <remarks>Thread safety: stateless; safe from any thread (a frame must not change while it is read).</remarks>
public static class DataFrames
{
    /// <summary>
    /// A table from a data frame: primitive numeric columns become numeric (nulls are missing), string columns
    /// character columns, boolean columns logical columns.
    /// </summary>
    /// <param name="frame">The data frame.</param>
    /// <returns>The table.</returns>
    /// <exception cref="NotSupportedException">A column of another type (dates, chars, nested).</exception>
    public static DataTable ToDataTable(DataFrame frame)
    {
        ArgumentNullException.ThrowIfNull(frame);
        var columns = new List<DataColumn>(frame.Columns.Count);
        foreach (DataFrameColumn c in frame.Columns)
        {
            int n = checked((int)c.Length);
            Type t = c.DataType;
            if (t == typeof(string))
            {
                columns.Add(DataColumn.Text(c.Name, Enumerable.Range(0, n).Select(i => (string?)c[i]).ToArray()));
            }
            else if (t == typeof(bool))
            {
                var codes = new int[n];
                for (int i = 0; i < n; i++) codes[i] = c[i] is bool b ? (b ? 1 : 0) : -1;
                columns.Add(DataColumn.CodedOwned(c.Name, ColumnKind.Logical, codes, ["FALSE", "TRUE"], false));
            }
            else if (t.IsPrimitive || t == typeof(decimal))
            {
                var v = new double[n];
                for (int i = 0; i < n; i++) v[i] = c[i] is { } o ? Convert.ToDouble(o, CultureInfo.InvariantCulture) : double.NaN;
                columns.Add(DataColumn.NumericOwned(c.Name, v));
            }
            else
            {
                throw new NotSupportedException($"Column '{c.Name}' holds {t.Name}; a table takes numbers, strings and booleans.");
            }
        }

        return new DataTable(columns);
    }
}
