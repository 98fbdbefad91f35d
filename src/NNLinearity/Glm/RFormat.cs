using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text;

namespace NNLinearity.Glm;

/// <summary>
/// R's number formatting for coefficient tables: format(x, digits) (formatReal: the fewest significant digits, at most
/// <c>digits</c>, that show each value to <c>digits</c> significant digits, one fixed or scientific layout for the whole
/// vector, whichever is narrower), format.pval, and printCoefmat's table (estimates and standard errors rounded and
/// formatted together, statistics rounded to digits - 1 decimals, significance stars).
/// </summary>
internal static class RFormat
{
    private static readonly CultureInfo C = CultureInfo.InvariantCulture;

    /// <summary>Significant digits needed (at most <paramref name="digits"/>) and the decimal exponent of |x| rounded to them.</summary>
    private static (int Sig, int Exponent) Scientific(double x, int digits)
    {
        double a = Math.Abs(x);
        if (a == 0) return (1, 0);
        double rounded = double.Parse(a.ToString("E" + (digits - 1), C), C);
        int e = (int)Math.Floor(Math.Log10(rounded));
        if (rounded >= Math.Pow(10, e + 1)) e++; // log10 rounding at exact powers of ten
        int sig = digits;
        while (sig > 1 && double.Parse(rounded.ToString("E" + (sig - 2), C), C) == rounded) sig--;
        return (sig, e);
    }

    /// <summary>R's format(x, digits = digits) of a numeric vector (NaN as "NaN", NA as "NA" for null entries).</summary>
    public static string[] Format(IReadOnlyList<double> values, int digits)
    {
        bool neg = false;
        int left = 1, rgt = 0, sigMax = 1, expMax = 0;
        bool any = false;
        foreach (double v in values)
        {
            if (!double.IsFinite(v)) continue;
            any = true;
            (int sig, int e) = Scientific(v, digits);
            if (v < 0) neg = true;
            left = Math.Max(left, e + 1);
            rgt = Math.Max(rgt, sig - e - 1);
            sigMax = Math.Max(sigMax, sig);
            expMax = Math.Max(expMax, Math.Abs(e) >= 100 ? 3 : 2);
        }

        if (!any) return values.Select(v => double.IsNaN(v) ? "NaN" : v.ToString(C)).ToArray();
        int fixedWidth = (neg ? 1 : 0) + left + (rgt > 0 ? rgt + 1 : 0);
        int sciWidth = (neg ? 1 : 0) + (sigMax > 1 ? sigMax + 1 : sigMax) + 2 + expMax;
        bool sci = fixedWidth > sciWidth;
        string fmt = sci ? (sigMax > 1 ? "0." + new string('0', sigMax - 1) : "0") + "e+" + new string('0', expMax) : "F" + rgt;
        string[] text = values.Select(v => double.IsNaN(v) ? "NaN" : double.IsInfinity(v) ? (v > 0 ? "Inf" : "-Inf") : v.ToString(fmt, C)).ToArray();
        int width = text.Max(t => t.Length);
        return text.Select(t => t.PadLeft(width)).ToArray();
    }

    /// <summary>R's format.pval(p, digits, eps = .Machine$double.eps).</summary>
    public static string[] FormatPValues(IReadOnlyList<double> p, int digits)
    {
        const double Eps = 2.220446049250313e-16;
        var r = new string[p.Count];
        int[] live = Enumerable.Range(0, p.Count).Where(i => !double.IsNaN(p[i])).ToArray();
        int[] zero = live.Where(i => p[i] < Eps).ToArray();
        int[] rest = live.Except(zero).ToArray();
        bool Fixp(double v) { int e = (int)Math.Floor(Math.Log10(v > 0 ? v : 1e-50)); return e >= -3 || (e == -4 && digits > 1); }
        foreach (int[] group in new[] { rest.Where(i => Fixp(p[i])).ToArray(), rest.Where(i => !Fixp(p[i])).ToArray() })
        {
            if (group.Length == 0) continue;
            string[] g = Format(group.Select(i => p[i]).ToArray(), digits);
            for (int k = 0; k < group.Length; k++) r[group[k]] = g[k].Trim();
        }

        if (zero.Length > 0)
        {
            int d = Math.Max(1, digits - 2);
            string sep;
            if (rest.Length > 0)
            {
                int nc = rest.Max(i => r[i].Length);
                if (d > 1 && d + 6 > nc) d = Math.Max(1, nc - 7);
                sep = d == 1 && nc <= 6 ? "" : " ";
            }
            else
            {
                sep = d == 1 ? "" : " ";
            }

            string epsText = Format([Eps], d)[0];
            foreach (int i in zero) r[i] = "<" + sep + epsText;
        }

        for (int i = 0; i < r.Length; i++) r[i] ??= "NA";
        return r;
    }

    // symnum's symbols: " " above 0.1, so the column is as wide as the widest symbol present.
    private static string Stars(double p) => double.IsNaN(p) ? "" : p < 0.001 ? "***" : p < 0.01 ? "**" : p < 0.05 ? "*" : p < 0.1 ? "." : " ";

    /// <summary>printCoefmat(x, digits, signif.stars = TRUE, na.print = "NA") for [Estimate, Std. Error, statistic, p].</summary>
    public static string CoefficientMatrix(IReadOnlyList<string> names, IReadOnlyList<double> estimates, IReadOnlyList<double> standardErrors,
        IReadOnlyList<double> statistics, IReadOnlyList<double> pValues, IReadOnlyList<bool> aliased, string statName, string pName, int digits)
    {
        int n = names.Count;
        int[] live = Enumerable.Range(0, n).Where(j => !aliased[j]).ToArray();
        int digTst = Math.Max(1, Math.Min(5, digits - 1));
        var cols = new string[n, 5];
        for (int j = 0; j < n; j++) for (int c = 0; c < 5; c++) cols[j, c] = "NA";

        // Estimates and standard errors: rounded to digits - digmin decimals (digmin from the smallest non-zero
        // magnitude) and formatted as one vector.
        double[] cs = live.Select(j => estimates[j]).Concat(live.Select(j => standardErrors[j])).ToArray();
        double[] acs = cs.Where(v => double.IsFinite(v) && v != 0).Select(Math.Abs).ToArray();
        int digmin = 1 + (acs.Length > 0 ? (int)Math.Floor(Math.Log10(acs.Min())) : 0);
        int dec = Math.Max(1, digits - digmin);
        string[] csText = Format(cs.Select(v => RoundDecimals(v, dec)).ToArray(), digits);
        string[] tst = Format(live.Select(j => RoundDecimals(statistics[j], digTst)).ToArray(), digits);
        string[] pv = FormatPValues(live.Select(j => pValues[j]).ToArray(), digTst);
        for (int a = 0; a < live.Length; a++)
        {
            int j = live[a];
            cols[j, 0] = FixZero(estimates[j], csText[a], digits);
            cols[j, 1] = FixZero(standardErrors[j], csText[live.Length + a], digits);
            cols[j, 2] = tst[a];
            cols[j, 3] = pv[a];
            cols[j, 4] = Stars(pValues[j]);
        }

        string[] header = ["Estimate", "Std. Error", statName, pName, ""];
        int nameWidth = names.Max(s => s.Length);
        var widths = new int[5];
        for (int c = 0; c < 5; c++)
        {
            widths[c] = header[c].Length;
            for (int j = 0; j < n; j++) widths[c] = Math.Max(widths[c], cols[j, c].Length);
        }

        // printCoefmat shows the stars (and their legend) only when some p-value is below 0.1; the column is padded
        // to its widest symbol, as format() pads a character column.
        bool stars = live.Any(j => pValues[j] < 0.1);
        widths[4] = stars ? live.Max(j => cols[j, 4].Length) : 0;
        var sb = new StringBuilder();
        sb.Append(new string(' ', nameWidth));
        for (int c = 0; c < (stars ? 5 : 4); c++) sb.Append(' ').Append(header[c].PadLeft(widths[c]));
        sb.AppendLine();
        for (int j = 0; j < n; j++)
        {
            sb.Append(names[j].PadRight(nameWidth));
            for (int c = 0; c < 4; c++) sb.Append(' ').Append(cols[j, c].Trim().PadLeft(widths[c]));
            if (stars) sb.Append(' ').Append((aliased[j] ? "" : cols[j, 4]).PadRight(widths[4]));
            sb.AppendLine();
        }

        if (stars)
        {
            sb.AppendLine("---");
            sb.AppendLine("Signif. codes:  0 '***' 0.001 '**' 0.01 '*' 0.05 '.' 0.1 ' ' 1");
        }

        return sb.ToString();
    }

    /// <summary>R's round(v, decimals) for any count of decimals (Math.Round stops at 15).</summary>
    private static double RoundDecimals(double v, int decimals) =>
        !double.IsFinite(v) ? v : decimals <= 15 ? Math.Round(v, decimals, MidpointRounding.ToEven) : double.Parse(v.ToString("F" + decimals, C), C);

    /// <summary>printCoefmat's fix for a non-zero value that formats as zero: format it alone with digits - 1.</summary>
    private static string FixZero(double value, string text, int digits) =>
        value != 0 && double.TryParse(text, NumberStyles.Float, C, out double shown) && shown == 0 ? Format([value], Math.Max(1, digits - 1))[0] : text;
}
