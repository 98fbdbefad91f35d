using System;
using System.Collections.Generic;
using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Linq;
using System.Reflection;

namespace NNLinearity.Data;

/// <summary>What a column holds, as R's column classes.</summary>
public enum ColumnKind
{
    /// <summary>Numbers (R's numeric); NaN is a missing value.</summary>
    Numeric,

    /// <summary>A factor with fixed levels (R's factor), unordered or ordered.</summary>
    Factor,

    /// <summary>Text (R's character): a model codes it as a factor with its distinct values sorted (ordinal) as levels.</summary>
    Character,

    /// <summary>True or false (R's logical): a model codes it as a factor with levels FALSE and TRUE.</summary>
    Logical,
}

/// <summary>A named, typed column with missing values.</summary>
/// <remarks>Thread safety: immutable (the factory methods copy their input); safe to share across threads.</remarks>
public sealed class DataColumn
{
    private readonly double[]? _numbers;
    private readonly int[]? _codes;
    private readonly string[] _levels;

    private DataColumn(string name, ColumnKind kind, double[]? numbers, int[]? codes, string[] levels, bool ordered)
    {
        if (string.IsNullOrWhiteSpace(name)) throw new ArgumentException("A column needs a name.", nameof(name));
        Name = name;
        Kind = kind;
        _numbers = numbers;
        _codes = codes;
        _levels = levels;
        IsOrdered = ordered;
        Count = numbers?.Length ?? codes!.Length;
    }

    /// <summary>The column's name.</summary>
    public string Name { get; }

    /// <summary>What it holds.</summary>
    public ColumnKind Kind { get; }

    /// <summary>Number of rows.</summary>
    public int Count { get; }

    /// <summary>True for an ordered factor (coded by polynomial contrasts by default).</summary>
    public bool IsOrdered { get; }

    /// <summary>The levels of a factor, character or logical column, in order (empty for a numeric column).</summary>
    public IReadOnlyList<string> Levels => _levels;

    /// <summary>A numeric column; NaN marks a missing value.</summary>
    /// <param name="name">The name.</param>
    /// <param name="values">The values; infinities are refused.</param>
    /// <returns>The column.</returns>
    /// <exception cref="ArgumentException">A value is infinite, or the name is blank.</exception>
    public static DataColumn Numeric(string name, IReadOnlyList<double> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        double[] v = values.ToArray();
        for (int i = 0; i < v.Length; i++)
        {
            if (double.IsInfinity(v[i])) throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"{name}[{i}] is {v[i]}: values must be finite (NaN marks a missing value)."), nameof(values));
        }

        return new DataColumn(name, ColumnKind.Numeric, v, null, [], false);
    }

    /// <summary>A numeric column over an array the caller gives up (no copy): for readers that build columns of their own.</summary>
    internal static DataColumn NumericOwned(string name, double[] values)
    {
        for (int i = 0; i < values.Length; i++)
        {
            if (double.IsInfinity(values[i])) throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"{name}[{i}] is {values[i]}: values must be finite (NaN marks a missing value)."), nameof(values));
        }

        return new DataColumn(name, ColumnKind.Numeric, values, null, [], false);
    }

    /// <summary>A factor, character or logical column over codes the caller gives up (-1 missing; no copy).</summary>
    internal static DataColumn CodedOwned(string name, ColumnKind kind, int[] codes, string[] levels, bool ordered)
    {
        foreach (int c in codes)
        {
            if (c < -1 || c >= levels.Length) throw new ArgumentException($"Column '{name}' has the code {c} outside its {levels.Length} levels.", nameof(codes));
        }

        return new DataColumn(name, kind, null, codes, levels, ordered);
    }

    /// <summary>A numeric column; null marks a missing value.</summary>
    /// <param name="name">The name.</param>
    /// <param name="values">The values.</param>
    /// <returns>The column.</returns>
    public static DataColumn Numeric(string name, IReadOnlyList<double?> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        return Numeric(name, values.Select(v => v ?? double.NaN).ToArray());
    }

    /// <summary>A factor: each value one of the levels, or null for missing.</summary>
    /// <param name="name">The name.</param>
    /// <param name="values">The values.</param>
    /// <param name="levels">The levels in order; by default the distinct values sorted ordinally, as R sorts in the C locale.</param>
    /// <param name="ordered">An ordered factor (R's <c>ordered()</c>).</param>
    /// <returns>The column.</returns>
    /// <exception cref="ArgumentException">A value that is not one of the levels, duplicate levels, or a blank name.</exception>
    public static DataColumn Factor(string name, IReadOnlyList<string?> values, IReadOnlyList<string>? levels = null, bool ordered = false)
    {
        ArgumentNullException.ThrowIfNull(values);
        string[] lv = levels?.ToArray() ?? values.Where(v => v is not null).Select(v => v!).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToArray();
        var index = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int l = 0; l < lv.Length; l++)
        {
            if (lv[l] is null || !index.TryAdd(lv[l], l)) throw new ArgumentException($"levels[{l}] is {(lv[l] is null ? "null" : $"\"{lv[l]}\", a duplicate")}; levels must be distinct strings.", nameof(levels));
        }

        var codes = new int[values.Count];
        for (int i = 0; i < codes.Length; i++)
        {
            string? v = values[i];
            if (v is null) codes[i] = -1;
            else if (!index.TryGetValue(v, out codes[i])) throw new ArgumentException($"{name}[{i}] is \"{v}\", which is not one of the levels ({string.Join(", ", lv)}).", nameof(values));
        }

        return new DataColumn(name, ColumnKind.Factor, null, codes, lv, ordered);
    }

    /// <summary>A character column (a model codes it as a factor with the distinct values sorted ordinally); null is missing.</summary>
    /// <param name="name">The name.</param>
    /// <param name="values">The values.</param>
    /// <returns>The column.</returns>
    public static DataColumn Text(string name, IReadOnlyList<string?> values)
    {
        DataColumn f = Factor(name, values);
        return new DataColumn(name, ColumnKind.Character, null, f._codes, f._levels, false);
    }

    /// <summary>A logical column (levels FALSE and TRUE); null is missing.</summary>
    /// <param name="name">The name.</param>
    /// <param name="values">The values.</param>
    /// <returns>The column.</returns>
    public static DataColumn Logical(string name, IReadOnlyList<bool?> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        return new DataColumn(name, ColumnKind.Logical, null, values.Select(v => v is null ? -1 : v.Value ? 1 : 0).ToArray(), ["FALSE", "TRUE"], false);
    }

    /// <summary>Whether a row's value is missing.</summary>
    /// <param name="row">The row.</param>
    /// <returns>True when missing.</returns>
    public bool IsMissing(int row) => _numbers is not null ? double.IsNaN(_numbers[row]) : _codes![row] < 0;

    /// <summary>A numeric column's value (NaN when missing).</summary>
    /// <param name="row">The row.</param>
    /// <returns>The value.</returns>
    /// <exception cref="InvalidOperationException">The column is not numeric.</exception>
    public double GetNumber(int row) => _numbers is not null ? _numbers[row] : throw new InvalidOperationException($"Column '{Name}' is {Kind}, not numeric.");

    /// <summary>A factor, character or logical column's level at a row (null when missing).</summary>
    /// <param name="row">The row.</param>
    /// <returns>The level.</returns>
    /// <exception cref="InvalidOperationException">The column is numeric.</exception>
    public string? GetLevel(int row) => _codes is not null ? (_codes[row] < 0 ? null : _levels[_codes[row]]) : throw new InvalidOperationException($"Column '{Name}' is numeric.");

    internal ReadOnlySpan<double> Numbers => _numbers;

    /// <summary>The column's own numbers (shared, never written: the table is immutable).</summary>
    internal double[]? NumberArray => _numbers;

    /// <summary>The column's own codes (shared, never written).</summary>
    internal int[]? CodeArray => _codes;

    internal ReadOnlySpan<int> Codes => _codes;

    /// <inheritdoc />
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Name} ({Kind}{(IsOrdered ? ", ordered" : "")}, {Count} rows)");
}

/// <summary>A small columnar table: named, typed columns of equal length (R's data frame).</summary>
/// <remarks>Thread safety: immutable; safe to share across threads.</remarks>
public sealed class DataTable
{
    private readonly DataColumn[] _columns;
    private readonly Dictionary<string, int> _index;

    /// <summary>Creates a table from columns of equal length with distinct names.</summary>
    /// <param name="columns">The columns.</param>
    /// <exception cref="ArgumentException">No columns, a null column, duplicate names or unequal lengths.</exception>
    public DataTable(IEnumerable<DataColumn> columns)
    {
        ArgumentNullException.ThrowIfNull(columns);
        _columns = columns.ToArray();
        if (_columns.Length == 0) throw new ArgumentException("A table needs at least one column.", nameof(columns));
        _index = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int c = 0; c < _columns.Length; c++)
        {
            if (_columns[c] is null) throw new ArgumentException($"columns[{c}] is null.", nameof(columns));
            if (!_index.TryAdd(_columns[c].Name, c)) throw new ArgumentException($"columns[{c}] is named '{_columns[c].Name}', like an earlier column; names must be distinct.", nameof(columns));
            if (_columns[c].Count != _columns[0].Count)
            {
                throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"Column '{_columns[c].Name}' has {_columns[c].Count} rows and '{_columns[0].Name}' {_columns[0].Count}; columns must be of equal length."), nameof(columns));
            }
        }

        RowCount = _columns[0].Count;
    }

    /// <summary>Creates a table from columns.</summary>
    /// <param name="columns">The columns.</param>
    public DataTable(params DataColumn[] columns) : this((IEnumerable<DataColumn>)columns)
    {
    }

    /// <summary>
    /// A table from .NET objects, one column per public readable property: numbers (any numeric type, nullable
    /// included) become numeric columns, strings character columns, booleans logical columns, enums factors with the
    /// enum's names as levels in declaration order.
    /// </summary>
    /// <typeparam name="T">The row type (a record or class).</typeparam>
    /// <param name="rows">The rows.</param>
    /// <returns>The table.</returns>
    /// <exception cref="ArgumentException">No rows' type has a usable property, or a property's type is none of the above.</exception>
    public static DataTable FromRecords<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicProperties)] T>(IEnumerable<T> rows)
    {
        ArgumentNullException.ThrowIfNull(rows);
        T[] items = rows.ToArray();
        PropertyInfo[] properties = typeof(T).GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.CanRead && p.GetIndexParameters().Length == 0).ToArray();
        if (properties.Length == 0) throw new ArgumentException($"{typeof(T).Name} has no public readable properties to make columns of.", nameof(rows));
        var columns = new List<DataColumn>();
        foreach (PropertyInfo p in properties)
        {
            Type t = Nullable.GetUnderlyingType(p.PropertyType) ?? p.PropertyType;
            object?[] values = items.Select(item => item is null ? null : p.GetValue(item)).ToArray();
            if (t == typeof(string)) columns.Add(DataColumn.Text(p.Name, values.Select(v => (string?)v).ToArray()));
            else if (t == typeof(bool)) columns.Add(DataColumn.Logical(p.Name, values.Select(v => (bool?)v).ToArray()));
            else if (t.IsEnum) columns.Add(DataColumn.Factor(p.Name, values.Select(v => v?.ToString()).ToArray(), Enum.GetNames(t)));
            else if (t.IsPrimitive || t == typeof(decimal)) columns.Add(DataColumn.Numeric(p.Name, values.Select(v => v is null ? double.NaN : Convert.ToDouble(v, CultureInfo.InvariantCulture)).ToArray()));
            else throw new ArgumentException($"{typeof(T).Name}.{p.Name} is a {p.PropertyType.Name}; a column needs a number, a string, a bool or an enum.", nameof(rows));
        }

        return new DataTable(columns);
    }

    /// <summary>Number of rows.</summary>
    public int RowCount { get; }

    /// <summary>The columns in order.</summary>
    public IReadOnlyList<DataColumn> Columns => _columns;

    /// <summary>The column names in order.</summary>
    public IReadOnlyList<string> ColumnNames => _columns.Select(c => c.Name).ToArray();

    /// <summary>Whether a column of that name exists.</summary>
    /// <param name="name">The name.</param>
    /// <returns>True when it does.</returns>
    public bool Contains(string name) => _index.ContainsKey(name);

    /// <summary>The column of that name.</summary>
    /// <param name="name">The name.</param>
    /// <returns>The column.</returns>
    /// <exception cref="ArgumentException">No column has that name (the message lists the columns).</exception>
    public DataColumn this[string name] => _index.TryGetValue(name, out int c) ? _columns[c]
        : throw new ArgumentException($"The data have no column '{name}'; the columns are {string.Join(", ", _columns.Select(x => x.Name))}.", nameof(name));
}
