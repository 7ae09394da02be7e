import java.io.File;
import org.HdrHistogram.EncodableHistogram;
import org.HdrHistogram.HistogramLogReader;

// Prints the absolute start and end, in ms since the epoch, of the first
// untagged interval of the log named by the argument, as HdrHistogram's
// Java log reader places it.
public class FirstInterval {
    public static void main(String[] args) throws Exception {
        HistogramLogReader r = new HistogramLogReader(new File(args[0]));
        EncodableHistogram h;
        while ((h = r.nextIntervalHistogram()) != null) {
            if (h.getTag() == null) {
                System.out.println(h.getStartTimeStamp() + " " + h.getEndTimeStamp());
                return;
            }
        }
        System.exit(1);
    }
}
